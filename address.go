package stockbell

import "net/netip"

// Address ranges an outbound request to a merchant-given URL (a catalog
// feed, a PrestaShop shop) may not reach besides loopback, private,
// link-local, multicast and unspecified addresses: carrier-grade NAT (cloud
// metadata services live there too) and "this network".
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("fec0::/10"), // deprecated site-local
}

// PublicAddress reports whether Stockbell may connect to addr for a URL a
// merchant gave: not loopback, private, link-local, multicast, unspecified,
// carrier-grade NAT or "this network" (an IPv4-mapped IPv6 address is
// judged as IPv4). Production applies it to every such connection.
func PublicAddress(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() ||
		addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}
