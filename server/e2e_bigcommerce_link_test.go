package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/report"
)

// TestReportEmailLinkOpensReportsInTheControlPanel follows a BigCommerce
// store's report email link as the control panel opens it (the fake plays
// the control panel signing the load callback's payload with the link's
// path after the app's id as its url): the admin opens Reports on the
// report's days, for the user the control panel signed in. A second
// store's email links to its own store, whose link opens its own admin.
// Without STOCKBELL_BIGCOMMERCE_APP_ID the link is the admin's own page.
func TestReportEmailLinkOpensReportsInTheControlPanel(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_BIGCOMMERCE_APP_ID": bigcommercetest.AppID})
	week := &report.Days{From: time.Date(2025, 1, 27, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 2, 2, 0, 0, 0, 0, time.UTC)}
	chimes, chimesOwner := "e2echimes", bigcommercetest.User{ID: 5150, Email: "owner@chimes.example"}
	for _, store := range []struct {
		hash  string
		owner bigcommercetest.User
	}{{e2eStore, e2eOwner}, {chimes, chimesOwner}} {
		installStore(t, m, fake, store.hash, store.owner)
		shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformBigCommerce, "stores/"+store.hash)
		noErr(t, err)
		link := reportLinks(m.Config).ShopReportsURL(shop, week)
		want := "https://store-" + store.hash + ".mybigcommerce.com/manage/app/" + bigcommercetest.AppID + "/admin/reports?from=2025-01-27&to=2025-02-02"
		if link != want {
			t.Fatalf("%s's email links to %s, want %s", store.hash, link, want)
		}
		clerk := bigcommercetest.User{ID: store.owner.ID + 1, Email: "clerk@" + store.hash + ".example"}
		page := openInControlPanel(t, m, fake, link, clerk, "/admin/reports?")
		wantReportsOfTheWeek(t, store.hash+"'s link opened in its control panel", page)
		if !strings.Contains(page.body, `title="stores/`+store.hash+`"`) || !strings.Contains(page.body, "("+clerk.Email+")") {
			t.Errorf("%s's link opened the admin of another user or store:\n%.1500s", store.hash, page.body)
		}

		plain := *m.Config
		plain.BigCommerce.AppID = ""
		if link := reportLinks(&plain).ShopReportsURL(shop, week); link != m.Config.PublicURL+"/admin/reports?from=2025-01-27&to=2025-02-02" {
			t.Errorf("without the app's id, %s's email links to %s", store.hash, link)
		}
	}
}

// openInControlPanel plays the clerk opening the link in the store's
// control panel: the load callback must send them on to a page under
// path, which it returns as the clerk's browser opens it.
func openInControlPanel(t *testing.T, m *Main, fake *bigcommercetest.Fake, link string, clerk bigcommercetest.User, path string) answer {
	t.Helper()
	load, err := fake.OpenAppLink(link, m.URL()+"/auth/bigcommerce/load", clerk)
	noErr(t, err)
	browser := noRedirectClient()
	resp, err := browser.Get(load)
	noErr(t, err)
	resp.Body.Close()
	next := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(next, path) {
		t.Fatalf("the control panel's load of %s answered %d to %q", link, resp.StatusCode, next)
	}
	status, body := clientGet(t, browser, m.URL()+next)
	return answer{status: status, body: body}
}

// installStore installs the app on the fake's store for its owner.
func installStore(t *testing.T, m *Main, fake *bigcommercetest.Fake, hash string, owner bigcommercetest.User) {
	t.Helper()
	status, _ := clientGet(t, noRedirectClient(), m.URL()+"/auth/bigcommerce/callback?"+fake.Authorize(hash, owner, "store_v2_products_read_only").Encode())
	if status != http.StatusFound {
		t.Fatalf("installing %s answered %d", hash, status)
	}
}

// TestDisabledEndpointEmailLinkOpensWebhooksInTheControlPanel follows the
// link in the email telling a BigCommerce store's owner that an endpoint
// was disabled as the control panel opens it: the admin opens the store's
// Webhooks page, where the endpoint is enabled again. A second store's
// email links to its own store, whose link opens its own endpoints only.
func TestDisabledEndpointEmailLinkOpensWebhooksInTheControlPanel(t *testing.T) {
	m, fake := bigCommerceServerWith(t, map[string]string{"STOCKBELL_BIGCOMMERCE_APP_ID": bigcommercetest.AppID})
	stores := []struct {
		hash  string
		owner bigcommercetest.User
	}{{e2eStore, e2eOwner}, {"e2echimes", bigcommercetest.User{ID: 5150, Email: "owner@chimes.example"}}}
	for _, store := range stores {
		installStore(t, m, fake, store.hash, store.owner)
	}
	for i, store := range stores {
		shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformBigCommerce, "stores/"+store.hash)
		noErr(t, err)
		endpoint := "https://hooks.example/" + store.hash
		link := disabledEndpointLink(t, m, shop, endpoint)
		if want := "https://store-" + store.hash + ".mybigcommerce.com/manage/app/" + bigcommercetest.AppID + "/admin/webhooks"; link != want {
			t.Fatalf("%s's email links to %s, want %s", store.hash, link, want)
		}
		clerk := bigcommercetest.User{ID: store.owner.ID + 1, Email: "clerk@" + store.hash + ".example"}
		page := openInControlPanel(t, m, fake, link, clerk, "/admin/webhooks")
		wantDisabledEndpoint(t, store.hash+"'s link opened in its control panel", page, endpoint)
		if i > 0 && strings.Contains(page.body, stores[0].hash) {
			t.Errorf("%s's link opened a page showing %s's endpoint:\n%.1500s", store.hash, stores[0].hash, page.body)
		}
	}
}
