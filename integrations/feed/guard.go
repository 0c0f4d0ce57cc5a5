package feed

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	stockbell "github.com/stockbell/stockbell"
)

// PublicAddress reports whether a feed may be fetched from addr: the one
// address rule, stockbell.PublicAddress.
func PublicAddress(addr netip.Addr) bool { return stockbell.PublicAddress(addr) }

// guard applies the address rule when URLs are checked and again when
// connections are dialled, so that a name resolving to a public address
// when checked and to a private one when dialled (DNS rebinding) is still
// refused.
type guard struct {
	// allowPrivate turns the rule off (development).
	allowPrivate bool
	// allowed is the rule; PublicAddress in production.
	allowed func(netip.Addr) bool
	// lookup resolves a host name.
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

func newGuard(allowPrivate bool) *guard {
	return &guard{allowPrivate: allowPrivate, allowed: PublicAddress, lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
		return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}}
}

// checkURL refuses anything but an absolute http(s) URL without user
// information whose host resolves only to allowed addresses.
func (g *guard) checkURL(ctx context.Context, u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &FetchError{Reason: fmt.Sprintf("the feed URL must be http or https, got %q", u.Scheme)}
	}
	if u.Host == "" || u.Hostname() == "" {
		return &FetchError{Reason: "the feed URL has no host"}
	}
	if u.User != nil {
		return &FetchError{Reason: "put the feed's user name and password in its credentials, not in the URL"}
	}
	if g.allowPrivate {
		return nil
	}
	addrs, err := g.resolve(ctx, u.Hostname())
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if !g.allowed(a) {
			return &FetchError{Reason: fmt.Sprintf("the feed host %s resolves to %s, a loopback, private or link-local address: feeds must be on the public internet", u.Hostname(), a)}
		}
	}
	return nil
}

func (g *guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []netip.Addr{addr}, nil
	}
	addrs, err := g.lookup(ctx, host)
	if err != nil || len(addrs) == 0 {
		return nil, &FetchError{Reason: fmt.Sprintf("the feed host %s cannot be resolved", host)}
	}
	return addrs, nil
}

// dial resolves the address itself and connects to each resolved address
// in turn through a dialer whose Control refuses a forbidden address at
// the socket, whatever the name resolved to earlier.
func (g *guard) dial(dialer *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	d := *dialer
	if !g.allowPrivate {
		d.Control = g.control
	}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		addrs, err := g.resolve(ctx, host)
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

// control runs before each connection's socket connects.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &FetchError{Reason: fmt.Sprintf("refused to connect to %q", address)}
	}
	if !g.allowed(ap.Addr()) {
		return &FetchError{Reason: fmt.Sprintf("refused to connect to %s: a loopback, private or link-local address (feeds must be on the public internet)", ap.Addr())}
	}
	return nil
}
