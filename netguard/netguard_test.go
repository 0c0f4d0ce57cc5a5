package netguard_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/netguard"
)

// TestGuardRefusesAtCheckAndAtDial: a name that resolves to loopback is
// refused when checked; a name that resolved to a public address when
// checked and to loopback when dialled (DNS rebinding) is refused at the
// socket.
func TestGuardRefusesAtCheckAndAtDial(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	g := netguard.New("webhook endpoint", false)
	g.Lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	err := g.CheckHost(context.Background(), "hooks.example.com")
	var refused *netguard.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "webhook endpoints must be on the public internet") {
		t.Fatalf("check: %v", err)
	}
	client := &http.Client{Transport: &http.Transport{DialContext: g.DialContext(&net.Dialer{})}}
	_, err = client.Get(strings.Replace(target.URL, "127.0.0.1", "hooks.example.com", 1))
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "refused to connect to 127.0.0.1") {
		t.Fatalf("dial: %v", err)
	}
	open := netguard.New("webhook endpoint", true)
	if err := open.CheckHost(context.Background(), "127.0.0.1"); err != nil {
		t.Fatalf("development refused loopback: %v", err)
	}
	if resp, err := (&http.Client{Transport: &http.Transport{DialContext: open.DialContext(&net.Dialer{})}}).Get(target.URL); err != nil {
		t.Fatalf("development dial: %v", err)
	} else {
		resp.Body.Close()
	}
}

// TestTransportDialsOnlyAllowedAddresses: the shared transport never uses
// a proxy (which would dial the merchant's host out of the guard's sight)
// and refuses a loopback address at the socket, unless private addresses
// are allowed; a guard's own transport does the same with its resolver.
func TestTransportDialsOnlyAllowedAddresses(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	g := netguard.New("Magento store", false)
	g.Lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	for name, c := range map[string]struct {
		transport *http.Transport
		url       string
	}{
		"production":  {netguard.Transport("Magento store", false), target.URL},
		"a guard's":   {g.Transport(&net.Dialer{}), strings.Replace(target.URL, "127.0.0.1", "store.example.com", 1)},
		"development": {netguard.Transport("Magento store", true), target.URL},
	} {
		if c.transport.Proxy != nil {
			t.Errorf("%s: the transport has a proxy", name)
		}
		resp, err := (&http.Client{Transport: c.transport}).Get(c.url)
		if name == "development" {
			if err != nil {
				t.Errorf("development refused loopback: %v", err)
			} else {
				resp.Body.Close()
			}
			continue
		}
		var refused *netguard.RefusedError
		if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "refused to connect to 127.0.0.1") ||
			!strings.Contains(refused.Reason, "Magento stores must be on the public internet") {
			t.Errorf("%s: a loopback store: %v", name, err)
		}
	}
}
