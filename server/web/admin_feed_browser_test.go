package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// feedAdmin is the admin with the feed integration on a real store, and
// a loopback feed host.
type feedAdmin struct {
	*adminFixture
	feeds *feed.Integration
	host  *feedtest.Server
}

func newFeedAdmin(t *testing.T, db *store.DB) *feedAdmin {
	t.Helper()
	host := feedtest.NewServer()
	t.Cleanup(host.Close)
	sealer, err := oauth.NewSealer(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	in := &feed.Integration{Feeds: db, Shops: db, Catalog: db, Fetcher: feed.NewFetcher(feed.FetchConfig{AllowPrivate: true}),
		Sealer: sealer, Jobs: db.Queue.(stockbell.JobInserter), Logger: slog.New(slog.DiscardHandler)}
	f := newAdminFixtureOf(t, db, nil, func(d *web.AdminDeps) {
		in.Clock = d.Clock
		d.Feeds = in
	})
	return &feedAdmin{adminFixture: f, feeds: in, host: host}
}

// connect connects a feed shop as `shop add --platform feed` does.
func (f *feedAdmin) connect(t *testing.T, settings stockbell.FeedSettings) *stockbell.Shop {
	t.Helper()
	shop, _, err := f.feeds.Connect(context.Background(), settings)
	if err != nil {
		t.Fatal(err)
	}
	return shop
}

// feedSyncJobs counts the feed syncs queued for shop.
func feedSyncJobs(t *testing.T, db *store.DB, shop *stockbell.Shop) int {
	t.Helper()
	text := "json(args)" // SQLite keeps args as JSONB
	if db.Dialect == store.Postgres {
		text = "args::text"
	}
	var args []string
	if err := db.DB.SelectContext(context.Background(), &args, `SELECT `+text+` FROM river_job WHERE kind = 'feed_sync'`); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, raw := range args {
		var job stockbell.FeedSyncJob
		if err := json.Unmarshal([]byte(raw), &job); err != nil {
			t.Fatal(err)
		}
		if job.ShopID == shop.ID {
			n++
		}
	}
	return n
}

// TestSyncLogShowsTheConnectedFeedInChromium: a feed shop's merchant reads
// on the Sync log page, in headless Chromium at 1200 and 360 px, the feed
// connected (its URL with its query's values hidden, the user name named,
// never the password), how often it is read in words, its last read in the
// shop's time zone and how it went, when the next is due and the operator's
// command that changes them; "Read now" queues a read of this shop's feed
// only and says what happens. Another shop's feed never shows.
func TestSyncLogShowsTheConnectedFeedInChromium(t *testing.T) {
	ctx := browsertest.New(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFeedAdmin(t, db)
		shop := f.connect(t, stockbell.FeedSettings{Domain: "a.example", URL: f.host.URL("/export.php?format=json&token=s3cret-token"),
			Credentials: &stockbell.FeedCredentials{Username: "feeds", Password: "pa55word"}, Interval: 30 * time.Minute})
		other := f.connect(t, stockbell.FeedSettings{Domain: "b.example", URL: f.host.URL("/other-shops-feed.xml"),
			Credentials: &stockbell.FeedCredentials{Header: "X-Other-Key", Value: "other-secret"}, Interval: 2 * time.Hour})
		zone := "America/New_York"
		if _, err := db.UpdateSettings(context.Background(), shop.ID, stockbell.SettingsUpdate{TimeZone: &zone}); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		if _, err := f.feeds.Sync(context.Background(), shop.ID, feed.SyncOptions{}); err != nil { // the host has no such path: 404
			t.Fatal(err)
		}
		read := f.clock.Now().In(mustZone(t, zone))
		if _, err := db.DB.ExecContext(context.Background(), `DELETE FROM river_job WHERE kind = 'feed_sync'`); err != nil {
			t.Fatal(err)
		}
		signInChromium(t, ctx, f.adminFixture, shop)
		for _, width := range []int64{1200, 360} {
			browsertest.Do(t, ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(f.url+"/admin/sync-log"))
			waitForNewPage(t, ctx, `!!document.querySelector("#feed")`)
			panel := browsertest.Eval[string](t, ctx, `document.querySelector("#feed").innerText.replace(/\s+/g, " ")`)
			for _, want := range []string{
				f.host.URL("/export.php?format=…&token=…"),
				`user name "feeds"`, "every 30 minutes",
				"Last read " + read.Format("2 Jan 2006, 15:04 MST") + ": failed: the feed answered 404 Not Found",
				"Next read due " + read.Add(30*time.Minute).Format("2 Jan 2006, 15:04 MST"),
				"go run ./server shop add --platform feed --domain a.example --feed-url URL --interval 30m",
			} {
				if !strings.Contains(panel, want) {
					t.Errorf("at %d px the feed's panel does not say %q:\n%s", width, want, panel)
				}
			}
			page := mainText(t, ctx)
			for _, secret := range []string{"pa55word", "s3cret-token", "other-shops-feed", "X-Other-Key", "other-secret", "2 hours"} {
				if strings.Contains(page, secret) {
					t.Errorf("at %d px the Sync log shows %q:\n%s", width, secret, page)
				}
			}
			wantNoSidewaysScroll(t, ctx, width, "the Sync log with its feed")
			browsertest.Eval[bool](t, ctx, `(document.querySelector("#feed").scrollIntoView({behavior: "instant"}), true)`)
			browsertest.Screenshot(t, ctx, fmt.Sprintf("%s-sync-log-feed-%dpx", t.Name(), width))
		}
		browsertest.Click(t, ctx, `document.querySelector("#feed form button")`)
		waitForNewPage(t, ctx, `!!document.querySelector(".banner.ok")`)
		if notice := browsertest.Eval[string](t, ctx, `document.querySelector(".banner.ok").innerText`); !strings.Contains(notice, "Read of your feed queued") {
			t.Errorf("after Read now the page says %q", notice)
		}
		if mine, theirs := feedSyncJobs(t, db, shop), feedSyncJobs(t, db, other); mine != 1 || theirs != 0 {
			t.Errorf("Read now queued %d reads of the shop's feed and %d of the other's, want 1 and 0", mine, theirs)
		}
	})
}

// TestReadFeedNowNeedsAFeedAndTheCSRFToken: a public feed just connected
// reads as sent no credentials, not read yet and due now; "Read now"
// posted without the session's CSRF token is refused and queues nothing; a shop without a
// feed shows no feed panel, and its post is refused saying it has no
// feed, queuing nothing.
func TestReadFeedNowNeedsAFeedAndTheCSRFToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFeedAdmin(t, db)
		shop := f.connect(t, stockbell.FeedSettings{Domain: "a.example", URL: f.host.URL("/feed.json")})
		if _, err := db.DB.ExecContext(context.Background(), `DELETE FROM river_job WHERE kind = 'feed_sync'`); err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, shop)
		page := b.get("/admin/sync-log")
		wantStatus(t, page, http.StatusOK, "the sync log")
		text := visibleText(page.Body)
		for _, want := range []string{"No credentials are sent", "Not read yet", "Read every 15 minutes, counted from the end of the last read",
			"due now, so a read is queued within a minute, or is already queued or under way"} {
			if !strings.Contains(text, want) {
				t.Errorf("a public feed just connected: its panel does not say %q:\n%s", want, text)
			}
		}
		wantStatus(t, b.post("/admin/sync-log/read-feed", url.Values{}), http.StatusForbidden, "Read now without the CSRF token")
		if n := feedSyncJobs(t, db, shop); n != 0 {
			t.Errorf("Read now without the CSRF token queued %d reads", n)
		}
		plain := storetest.MustShop(t, db, stockbell.PlatformPrestaShop, "c.example")
		c := f.signIn(t, plain)
		log := c.get("/admin/sync-log")
		if strings.Contains(log.Body, `id="feed"`) {
			t.Errorf("a shop without a feed shows a feed panel:\n%s", visibleText(log.Body))
		}
		refused := c.post("/admin/sync-log/read-feed", url.Values{"csrf_token": {log.csrf(t)}})
		wantStatus(t, refused, http.StatusNotFound, "Read now of a shop without a feed")
		if !strings.Contains(visibleText(refused.Body), "This shop has no catalog feed to read") {
			t.Errorf("Read now of a shop without a feed says:\n%s", visibleText(refused.Body))
		}
		if n := feedSyncJobs(t, db, plain) + feedSyncJobs(t, db, shop); n != 0 {
			t.Errorf("refused posts queued %d reads", n)
		}
	})
}
