package stockbell_test

import (
	"net/netip"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

func TestPublicAddress(t *testing.T) {
	for addr, public := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1:248:1893:25c8:1946": true, "8.8.8.8": true,
		"127.0.0.1": false, "127.8.9.10": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false,
		"192.168.1.1": false, "169.254.169.254": false, "fe80::1": false, "fc00::1": false, "fd12::1": false,
		"0.0.0.0": false, "::": false, "100.100.100.200": false, "224.0.0.1": false, "ff02::1": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "::ffff:93.184.216.34": true, "0.1.2.3": false,
		// IPv4 addresses inside IPv6 ones: NAT64 (RFC 6052, 8215), 6to4, the deprecated IPv4-compatible
		// form and Teredo; a NAT64 gateway (a cloud's, for IPv6-only hosts) reaches private IPv4 networks.
		"64:ff9b::a9fe:a9fe": false, "64:ff9b::7f00:1": false, "64:ff9b::a00:1": false, "64:ff9b::5db8:d822": true,
		"64:ff9b:1::a00:1": false, "2002:7f00:1::1": false, "2002:a9fe:a9fe::1": false, "2002:5db8:d822::1": true,
		"::7f00:1": false, "::a9fe:a9fe": false, "2001:0:4136:e378:8000:63bf:3fff:fdd2": false,
		// Other special-purpose IPv4 ranges: IETF protocol assignments, benchmarking, reserved, broadcast.
		"192.0.0.170": false, "198.18.0.1": false, "240.0.0.1": false, "255.255.255.255": false,
	} {
		if got := stockbell.PublicAddress(netip.MustParseAddr(addr)); got != public {
			t.Errorf("PublicAddress(%s) = %v, want %v", addr, got, public)
		}
	}
}
