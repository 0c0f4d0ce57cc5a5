package store

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestDomainSpellingsOfAnIPv6AddressCostWhatAHostsDo: shops are looked up
// by domain on the storefront's requests; telling a bracketed IPv6
// address from a host with a port allocates nothing, so the spellings of
// an address cost what a host name's do, and those of a domain with a port
// of its own no more than before.
func TestDomainSpellingsOfAnIPv6AddressCostWhatAHostsDo(t *testing.T) {
	allocs := func(domain string) float64 {
		return testing.AllocsPerRun(100, func() { _ = domainSpellings(domain) })
	}
	if host, address := allocs("shop.example"), allocs("[2001:db8::1]"); address != host {
		t.Errorf("the spellings of [2001:db8::1] allocate %v times, those of shop.example %v", address, host)
	}
	if withPort, addressWithPort := allocs("shop.example:8443"), allocs("[2001:db8::1]:8443"); addressWithPort != withPort {
		t.Errorf("the spellings of [2001:db8::1]:8443 allocate %v times, those of shop.example:8443 %v", addressWithPort, withPort)
	}
	if n := testing.AllocsPerRun(100, func() { _ = stockbell.HostHasPort("[2001:db8::1]:8443") }); n != 0 {
		t.Errorf("stockbell.HostHasPort allocates %v times", n)
	}
}
