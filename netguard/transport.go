package netguard

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Transport returns the transport for requests to the hosts of one kind
// of URL merchants give (subject names them in refusals, "Magento
// store"): http.DefaultTransport's settings but two. Its dialer (10 s to
// connect) has the guard's Control, unless allowPrivate (development), so
// the address each socket connects to is checked, whatever the name
// resolved to before (DNS rebinding included). And it has no proxy: a
// proxy from the environment (HTTPS_PROXY) would resolve and dial the
// merchant's host itself, and the check would see only the proxy's
// address.
func Transport(subject string, allowPrivate bool) *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		dialer.Control = New(subject, false).Control
	}
	return noProxy(dialer.DialContext)
}

// Transport is the package's Transport dialling through
// g.DialContext(dialer): g resolves names itself, with its Lookup (which
// tests may play), and applies its rule at each socket.
func (g *Guard) Transport(dialer *net.Dialer) *http.Transport {
	return noProxy(g.DialContext(dialer))
}

// noProxy is a copy of http.DefaultTransport that dials with dial, never
// through a proxy.
func noProxy(dial func(ctx context.Context, network, address string) (net.Conn, error)) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = dial
	return t
}
