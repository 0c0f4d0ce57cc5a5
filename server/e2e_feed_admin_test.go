package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/web"
)

// TestFeedShopReadsItsFeedFromTheSyncLog runs the real server on both
// databases: a private feed connected with `shop add` shows on its shop's
// Sync log page (address, user name, interval; never the password), and
// the page's Read now, posted with the session's token, has the job
// workers read the feed once more, its result added to the log.
func TestFeedShopReadsItsFeedFromTheSyncLog(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			host := feedtest.NewServer()
			t.Cleanup(host.Close)
			items := feedtest.Items(3, 0)
			host.Set("/catalog.json", feedtest.Feed{Body: feedtest.Document("json", items), Username: "feeds", Password: "pa55word"})
			getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
			m := startServer(t, getenv)
			ctx := context.Background()
			code, stdout, stderr := run(t, getenv, "shop", "add", "--platform", "feed", "--domain", feedDomain, "--feed-url", host.URL("/catalog.json"),
				"--feed-user", "feeds", "--feed-password", "pa55word", "--interval", "30m")
			if code != 0 {
				t.Fatalf("shop add: exit %d, %q %q", code, stdout, stderr)
			}
			shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformFeed, feedDomain)
			if err != nil {
				t.Fatal(err)
			}
			syncs := func() int {
				_, total, err := m.DB.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				return total
			}
			eventually(t, m, "the first sync", func() bool { return syncs() == 1 })

			client := signedInFeedClient(t, m, shop)
			page := feedAdminPage(t, client, m.Config.PublicURL+"/admin/sync-log")
			for _, want := range []string{"Your catalog feed", host.URL("/catalog.json"), `user name "feeds"`, "every 30 minutes"} {
				if !strings.Contains(page, want) {
					t.Errorf("the Sync log does not say %q:\n%s", want, page)
				}
			}
			if strings.Contains(page, "pa55word") {
				t.Errorf("the Sync log shows the feed's password")
			}

			items[1].InventoryQuantity = 4
			host.Set("/catalog.json", feedtest.Feed{Body: feedtest.Document("json", items), Username: "feeds", Password: "pa55word",
				ModifiedAt: time.Now().Add(time.Minute)})
			resp, err := client.PostForm(m.Config.PublicURL+"/admin/sync-log/read-feed", url.Values{"csrf_token": {formNonce.FindStringSubmatch(page)[1]}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/sync-log?notice=feed_read_queued" {
				t.Fatalf("Read now answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			eventually(t, m, "the read asked for", func() bool { return syncs() == 2 })
			v, err := m.DB.FindVariant(ctx, shop.ID, items[1].ID)
			if err != nil || v.Stock != 4 {
				t.Fatalf("after Read now: %+v, %v", v, err)
			}
		})
	}
}

// signedInFeedClient is a browser signed in to shop's admin with a
// one-time link.
func signedInFeedClient(t *testing.T, m *Main, shop *stockbell.Shop) *http.Client {
	t.Helper()
	token, _, err := m.DB.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID, Email: "owner@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	client := noRedirectClient()
	if status := signInWith(t, client, m.Config.PublicURL+web.SignInPath+"?token="+url.QueryEscape(token)); status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", status)
	}
	return client
}

// feedAdminPage is a page's HTML with its entities read (quotes as quotes).
func feedAdminPage(t *testing.T, client *http.Client, link string) string {
	t.Helper()
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", link, resp.StatusCode)
	}
	return html.UnescapeString(string(body))
}
