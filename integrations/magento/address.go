package magento

import (
	"fmt"
	"net/netip"
	"syscall"

	stockbell "github.com/stockbell/stockbell"
)

// refuseNonPublic is a dialer's Control: it refuses a connection to an
// address stockbell.PublicAddress refuses (loopback, private, link-local,
// carrier-grade NAT, where cloud metadata services live…), checked on the
// address actually dialled so that DNS rebinding is refused too.
func refuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("magento: refusing to dial %s: %w", address, err)
	}
	if !stockbell.PublicAddress(ap.Addr()) {
		return fmt.Errorf("magento: refusing to dial %s, not a public address", address)
	}
	return nil
}
