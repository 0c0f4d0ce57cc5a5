package magento

import (
	"fmt"
	"net/netip"
	"syscall"
)

// refuseNonPublic is a dialer's Control: it refuses a connection to a
// loopback, private, link-local, multicast, unspecified or carrier-grade
// NAT address (where cloud metadata services live), checked on the
// address actually dialled so that DNS rebinding is refused too.
func refuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("magento: refusing to dial %s: %w", address, err)
	}
	addr := ap.Addr().Unmap()
	if !addr.IsGlobalUnicast() || addr.IsPrivate() || carrierNAT.Contains(addr) {
		return fmt.Errorf("magento: refusing to dial %s, not a public address", address)
	}
	return nil
}

var carrierNAT = netip.MustParsePrefix("100.64.0.0/10")
