package prestashop

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/stockbell/stockbell/netguard"
)

// movedError is a webservice request the shop redirected to another host
// (a domain its shop URLs do not list, which PrestaShop sends to the main
// one; a shop that moved). Stockbell does not follow it, so the key never
// reaches another host (netguard.StayOnHost); PrestaShop would answer that
// no key was given, which would read as a key refused.
type movedError struct {
	// from and to are the shop URLs: Stockbell's, and the one the
	// redirect named (without /api/…).
	from, to string
	err      error
}

func (e *movedError) Error() string {
	return fmt.Sprintf("the PrestaShop shop at %s redirects to %s, another host, where Stockbell does not send its webservice key", e.from, e.to)
}

func (e *movedError) Unwrap() error { return e.err }

// asMoved is err as a movedError when it is a redirect to another host
// that the client refused, else nil.
func asMoved(from string, err error) *movedError {
	var uerr *url.Error
	if _, refused := errors.AsType[*netguard.RefusedError](err); !refused || !errors.As(err, &uerr) {
		return nil
	}
	to, perr := url.Parse(uerr.URL)
	base, perr2 := url.Parse(from)
	// A downgrade to http keeps its own reason (netguard.RefuseDowngrade).
	downgrade := base.Scheme == "https" && to.Scheme == "http"
	if perr != nil || perr2 != nil || to.Host == "" || netguard.SameHost(to, base) || downgrade {
		return nil
	}
	shopURL, _, _ := strings.Cut(to.String(), "/api/")
	return &movedError{from: from, to: shopURL, err: err}
}

// isMoved reports whether err is a request the shop redirected elsewhere.
func isMoved(err error) bool {
	var moved *movedError
	return errors.As(err, &moved)
}

// movedFailure is the sync log's reason for a job the shop redirected
// elsewhere.
func movedFailure(err error) string {
	var moved *movedError
	errors.As(err, &moved)
	return moved.Error() + ": if the shop moved, connect it at its new address"
}
