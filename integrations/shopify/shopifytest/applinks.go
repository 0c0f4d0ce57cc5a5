package shopifytest

import (
	"fmt"
	"net/url"
	"strings"
)

// AdminHost is the Shopify admin's host, under which an embedded app opens
// at /store/{store}/apps/{app handle or client id}/{path}.
const AdminHost = "admin.shopify.com"

// OpenAppLink plays the Shopify admin opening a link into the app from
// outside Shopify (https://admin.shopify.com/store/{store}/apps/{client
// id}/{path}?{query}), its merchant signed in to the store's admin: it
// returns the URL it loads in the app's frame, with the link's query and
// what Shopify adds when it opens an embedded app: embedded=1, a fresh
// session token (id_token), locale, shop, host, timestamp and hmac. The
// link's path replaces the path of appURL (the application_url), so it is
// loaded on the app's origin; a link without a path, or with "/", loads
// appURL itself. That is how Shopify's host code builds the frame's URL:
// buildAppUrl in @shopify/app-bridge-host (components/utilities/appUrl.js,
// versions 1.8.0 to 11.0.0 on npm) sets the application URL's pathname to
// the admin path after /apps/{handle or API key} unless that is "" or "/".
// A link that is not into this app is an error, as Shopify shows another
// app or no app for it.
func (f *Fake) OpenAppLink(link, appURL string) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", err
	}
	parts := strings.SplitN(strings.TrimPrefix(u.EscapedPath(), "/"), "/", 5) // store, {store}, apps, {app}, path
	if u.Scheme != "https" || u.Host != AdminHost || len(parts) < 4 || parts[0] != "store" || parts[2] != "apps" {
		return "", fmt.Errorf("%s is not a link into an app in the Shopify admin", link)
	}
	if parts[3] != url.PathEscape(f.APIKey) {
		return "", fmt.Errorf("%s opens the app %q, not this one (%s)", link, parts[3], f.APIKey)
	}
	app, err := url.Parse(appURL)
	if err != nil {
		return "", err
	}
	shop := parts[1] + ".myshopify.com"
	q := u.Query()
	q.Set("embedded", "1")
	q.Set("locale", "en")
	q.Set("id_token", f.SessionToken(shop, f.Secret))
	if len(parts) == 5 && parts[4] != "" {
		app.RawPath = "/" + parts[4]
		if app.Path, err = url.PathUnescape(app.RawPath); err != nil {
			return "", err
		}
	}
	app.RawQuery = f.SignedQuery(shop, q).Encode()
	return app.String(), nil
}
