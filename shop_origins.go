package stockbell

import (
	"context"
	"net/url"
	"strings"
)

// ShopOriginService keeps the storefront origins a merchant allows to call
// the storefront API besides the shop's platform and primary domains (a
// headless storefront, a staging site). An origin is scheme://host[:port].
type ShopOriginService interface {
	// AddShopOrigin allows an origin for the shop; adding it twice is not an
	// error. Returns EINVALID (field "origin") for anything but
	// scheme://host[:port], ENOTFOUND for an unknown shop.
	AddShopOrigin(ctx context.Context, shopID int64, origin string) error
	// RemoveShopOrigin forbids the origin again. Returns EINVALID as
	// AddShopOrigin, ENOTFOUND if the shop did not allow it.
	RemoveShopOrigin(ctx context.Context, shopID int64, origin string) error
	// FindShopOrigins returns the shop's allowed origins in order.
	FindShopOrigins(ctx context.Context, shopID int64) ([]string, error)
	// FindStorefrontOrigins is FindShopOrigins for checking a storefront
	// request's origin: it may answer from memory, up to a second stale for
	// a change another replica committed (this process's own changes show
	// at once). The slice is shared: callers only read it.
	FindStorefrontOrigins(ctx context.Context, shopID int64) ([]string, error)
	// IsStorefrontOrigin reports whether an installed shop allowed the
	// origin (AddShopOrigin), spelled as browsers send it or not. It answers
	// a storefront preflight, which names its origin but no shop; anything
	// that is not an origin is false.
	IsStorefrontOrigin(ctx context.Context, origin string) (bool, error)
}

// NormalizeOrigin returns an origin as browsers send it in the Origin
// header: lower-case http or https scheme and host, an explicit port only
// when one is given, no trailing slash. Anything else (a path, a query, a
// fragment, user info) is an EINVALID error naming the field "origin".
func NormalizeOrigin(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return "", FieldErrorf("origin", "origin must look like https://shop.example.com, got %q", raw)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return "", FieldErrorf("origin", "origin scheme must be https or http, got %q", u.Scheme)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(raw, "?") || strings.HasSuffix(raw, "#") {
		return "", FieldErrorf("origin", "origin is scheme://host[:port] with no path, query or user, got %q", raw)
	}
	if u.Hostname() == "" || (strings.HasSuffix(u.Host, ":") && u.Port() == "") {
		return "", FieldErrorf("origin", "origin %q has no host or an empty port", raw)
	}
	host := strings.ToLower(u.Host)
	if defaultPort[scheme] == u.Port() {
		// Browsers leave the scheme's default port out of Origin.
		host = strings.TrimSuffix(host, ":"+u.Port())
	}
	return scheme + "://" + host, nil
}

// defaultPort is each origin scheme's port, which an Origin header never
// names.
var defaultPort = map[string]string{"https": "443", "http": "80"}
