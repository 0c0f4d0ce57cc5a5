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

func TestPublicAddress(t *testing.T) {
	for addr, public := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1:248:1893:25c8:1946": true, "8.8.8.8": true,
		"127.0.0.1": false, "127.8.9.10": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false,
		"192.168.1.1": false, "169.254.169.254": false, "fe80::1": false, "fc00::1": false, "fd12::1": false,
		"0.0.0.0": false, "::": false, "100.100.100.200": false, "224.0.0.1": false, "ff02::1": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "::ffff:93.184.216.34": true, "0.1.2.3": false,
	} {
		if got := netguard.PublicAddress(netip.MustParseAddr(addr)); got != public {
			t.Errorf("PublicAddress(%s) = %v, want %v", addr, got, public)
		}
	}
}

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
