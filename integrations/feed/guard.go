package feed

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/stockbell/stockbell/netguard"
)

// newGuard returns the address rule for feed URLs (netguard's, turned off
// when private addresses are allowed in development).
func newGuard(allowPrivate bool) *netguard.Guard {
	return netguard.New("feed", allowPrivate)
}

// checkFeedURL refuses anything but an absolute http(s) URL without user
// information whose host resolves only to allowed addresses.
func checkFeedURL(ctx context.Context, g *netguard.Guard, u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &FetchError{Reason: fmt.Sprintf("the feed URL must be http or https, got %q", u.Scheme)}
	}
	if u.Host == "" || u.Hostname() == "" {
		return &FetchError{Reason: "the feed URL has no host"}
	}
	if u.User != nil {
		return &FetchError{Reason: "put the feed's user name and password in its credentials, not in the URL"}
	}
	return asFetchError(g.CheckHost(ctx, u.Hostname()))
}

// asFetchError turns the guard's refusal into the feed's FetchError.
func asFetchError(err error) error {
	if refused, ok := errors.AsType[*netguard.RefusedError](err); ok {
		return &FetchError{Reason: refused.Reason}
	}
	return err
}
