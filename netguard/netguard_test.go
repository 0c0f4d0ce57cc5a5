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
