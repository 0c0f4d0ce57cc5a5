// Package netguard keeps Stockbell's requests to addresses that merchants
// give (catalog feeds, outbound webhook endpoints, the admin's page check,
// PrestaShop shops, Magento stores) on the public internet, as the domain's rule stockbell.PublicAddress
// says: in production a URL whose host is loopback, private, link-local or
// otherwise internal is refused when it is saved and again when each
// connection is dialled, so that a name resolving to a public address
// when checked and to a private one when dialled (DNS rebinding) is still
// refused. It also holds what every client of another's host shares: the
// transport that dials under the rule and never through a proxy
// (Transport), the redirect policies of requests that carry credentials
// (KeepCredentials, StayOnHost, RefuseDowngrade) and the one reading of an
// answer's Retry-After (RetryAfter). It imports nothing of the project but
// the root.
package netguard

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"

	stockbell "github.com/stockbell/stockbell"
)

// RefusedError says why a host or address was refused, in words fit for
// the merchant who gave it.
type RefusedError struct{ Reason string }

// Error implements the error interface.
func (e *RefusedError) Error() string { return e.Reason }

// Guard applies the address rule to the hosts of one kind of URL.
type Guard struct {
	// Subject names what the URLs are for ("feed", "webhook endpoint"),
	// in refusals: "feeds must be on the public internet".
	Subject string
	// AllowPrivate turns the rule off (development).
	AllowPrivate bool
	// Allowed is the rule; stockbell.PublicAddress unless a test plays another.
	Allowed func(netip.Addr) bool
	// Lookup resolves a host name; the system resolver unless a test plays DNS.
	Lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

// New returns a guard for URLs of the subject with the production rule,
// stockbell.PublicAddress (unless allowPrivate), and the system resolver.
func New(subject string, allowPrivate bool) *Guard {
	return &Guard{Subject: subject, AllowPrivate: allowPrivate, Allowed: stockbell.PublicAddress,
		Lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}}
}

// CheckHost resolves host and refuses it unless every address it resolves
// to is allowed (or private ones are). It returns a *RefusedError.
func (g *Guard) CheckHost(ctx context.Context, host string) error {
	if g.AllowPrivate {
		return nil
	}
	addrs, err := g.Resolve(ctx, host)
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if !g.Allowed(a) {
			return &RefusedError{Reason: fmt.Sprintf("the %s host %s resolves to %s, a loopback, private or link-local address: %ss must be on the public internet",
				g.Subject, host, a, g.Subject)}
		}
	}
	return nil
}

// Resolve returns the addresses of host (an IP literal is its own).
func (g *Guard) Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{addr}, nil
	}
	addrs, err := g.Lookup(ctx, host)
	if err != nil || len(addrs) == 0 {
		return nil, &RefusedError{Reason: fmt.Sprintf("the %s host %s cannot be resolved", g.Subject, host)}
	}
	return addrs, nil
}

// DialContext returns a dial function that resolves the address itself and
// connects to each resolved address in turn through a copy of dialer whose
// Control refuses a forbidden address at the socket, whatever the name
// resolved to earlier. Give it to an http.Transport with no proxy (a proxy
// would dial for it, out of its sight).
func (g *Guard) DialContext(dialer *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	d := *dialer
	if !g.AllowPrivate {
		d.Control = g.Control
	}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		addrs, err := g.Resolve(ctx, host)
		if err != nil {
			return nil, err
		}
		var firstErr error
		for _, a := range addrs {
			conn, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
			if err == nil {
				return conn, nil
			}
			if firstErr == nil {
				firstErr = err
			}
		}
		return nil, firstErr
	}
}

// Control is a dialer's Control: it runs before each socket connects and
// refuses an address the rule does not allow, with a *RefusedError.
func (g *Guard) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Reason: fmt.Sprintf("refused to connect to %q", address)}
	}
	if !g.Allowed(ap.Addr()) {
		return &RefusedError{Reason: fmt.Sprintf("refused to connect to %s: a loopback, private or link-local address (%ss must be on the public internet)",
			ap.Addr(), g.Subject)}
	}
	return nil
}
