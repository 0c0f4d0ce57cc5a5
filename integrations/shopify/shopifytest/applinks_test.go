package shopifytest

import (
	"net/url"
	"testing"
	"time"
)

// TestOpenAppLinkLoadsThePathOnTheAppsOrigin: as Shopify's host code
// builds the app's frame (buildAppUrl, applinks.go), a link's path after
// the client id replaces the path of the application URL, which ends in
// /admin here: it is loaded on the app's origin. A link without a path
// loads the application URL itself. Either way the link's query is kept.
func TestOpenAppLinkLoadsThePathOnTheAppsOrigin(t *testing.T) {
	f := New(NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
	defer f.Close()
	const appURL = "https://app.example/admin"
	for _, c := range []struct{ path, want string }{
		{"/admin/reports?from=2025-01-27", "https://app.example/admin/reports"},
		{"/settings", "https://app.example/settings"},
		{"", "https://app.example/admin"},
		{"/", "https://app.example/admin"},
	} {
		frame, err := f.OpenAppLink("https://admin.shopify.com/store/bells/apps/"+f.APIKey+c.path, appURL)
		if err != nil {
			t.Fatalf("%q: %v", c.path, err)
		}
		u, err := url.Parse(frame)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Scheme + "://" + u.Host + u.Path; got != c.want {
			t.Errorf("a link with the path %q loads %s, want %s", c.path, got, c.want)
		}
		if q := u.Query(); q.Get("shop") != "bells.myshopify.com" || q.Get("id_token") == "" || q.Get("embedded") != "1" {
			t.Errorf("a link with the path %q loads %s without the shop, a session token or embedded=1", c.path, frame)
		}
		if c.path == "/admin/reports?from=2025-01-27" && u.Query().Get("from") != "2025-01-27" {
			t.Errorf("the link's query was lost: %s", frame)
		}
	}
}
