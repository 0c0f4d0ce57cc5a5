package stockbell

import "net/netip"

// Address ranges an outbound request to a merchant-given URL (a catalog
// feed, a PrestaShop shop) may not reach besides loopback, private,
// link-local, multicast and unspecified addresses: carrier-grade NAT (cloud
// metadata services live there too), "this network" and the other
// special-purpose ranges no public host uses.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and the broadcast address
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("::/96"),          // deprecated IPv4-compatible (:: itself is unspecified)
	netip.MustParsePrefix("64:ff9b:1::/48"), // NAT64 for local use (RFC 8215)
	netip.MustParsePrefix("2001::/32"),      // Teredo, whose IPv4 address is hidden
}

// Prefixes of IPv6 addresses that carry an IPv4 address which a gateway
// (NAT64, a cloud's for IPv6-only hosts; 6to4) reaches for them: judged by
// that IPv4 address, at the byte offset given.
var embeddedIPv4 = []struct {
	prefix netip.Prefix
	offset int
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12}, // NAT64, well-known prefix (RFC 6052)
	{netip.MustParsePrefix("2002::/16"), 2},     // 6to4
}

// PublicAddress reports whether Stockbell may connect to addr for a URL a
// merchant gave: not loopback, private, link-local, multicast, unspecified,
// carrier-grade NAT, "this network" or another special-purpose range (an IPv4-mapped IPv6 address is
// judged as IPv4, and so is the IPv4 address inside a NAT64 or 6to4 one).
// Production applies it to every such connection.
func PublicAddress(addr netip.Addr) bool {
	addr = embeddedAddress(addr.Unmap())
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

// embeddedAddress is the IPv4 address a NAT64 or 6to4 address carries, or
// addr itself.
func embeddedAddress(addr netip.Addr) netip.Addr {
	for _, e := range embeddedIPv4 {
		if e.prefix.Contains(addr) {
			b := addr.As16()
			return netip.AddrFrom4([4]byte(b[e.offset : e.offset+4]))
		}
	}
	return addr
}
