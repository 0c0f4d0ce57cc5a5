package feed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
)

// SetAddressRule replaces the fetcher's address rule and name resolution,
// so that tests can play DNS answers and treat one loopback address as
// public and another as private.
func (f *Fetcher) SetAddressRule(allowed func(netip.Addr) bool, lookup func(ctx context.Context, host string) ([]netip.Addr, error)) {
	if allowed != nil {
		f.guard.Allowed = allowed
	}
	if lookup != nil {
		f.guard.Lookup = lookup
	}
}

// TrustTLS makes the fetcher trust a test server's certificate, so that
// tests can serve a feed over https from loopback.
func (f *Fetcher) TrustTLS(server *httptest.Server) {
	f.client.Transport.(*http.Transport).TLSClientConfig = server.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
}
