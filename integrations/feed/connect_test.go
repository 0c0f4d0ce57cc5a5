package feed_test

import (
	"context"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestConnectRefusesPrivateFeeds: with the production address rule, a
// feed URL on a loopback, private or link-local address is refused when
// the merchant connects it (feed_url, the reason), and nothing is stored:
// no shop for a new domain, and the connected feed of an existing shop
// keeps its URL.
func TestConnectRefusesPrivateFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(2, 1))})
		existing := e.connect("/f.json", nil)
		e.in.Fetcher = feed.NewFetcher(feed.FetchConfig{})
		for _, raw := range []string{e.host.URL("/f.json"), "http://10.1.2.3/feed.json", "http://169.254.169.254/latest/meta-data/",
			"http://[::ffff:192.168.1.1]/feed.json"} {
			for _, domain := range []string{"new.example.com", "shop.example.com"} {
				_, _, err := e.in.Connect(ctx, stockbell.FeedSettings{Domain: domain, URL: raw})
				if stockbell.ErrorField(err) != "feed_url" || !strings.Contains(err.Error(), "public internet") {
					t.Fatalf("connect %s to %s: %v, want feed_url refused", domain, raw, err)
				}
			}
		}
		if _, err := db.FindShopByDomain(ctx, stockbell.PlatformFeed, "new.example.com"); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("a refused feed left a shop: %v", err)
		}
		kept, err := db.FindFeed(ctx, existing.ID)
		must(t, err)
		if kept.URL != e.host.URL("/f.json") {
			t.Fatalf("the refused reconnect changed the feed's URL to %s", kept.URL)
		}
		if e.host.Hits("/f.json") != 0 {
			t.Fatal("a refused feed was requested")
		}
	})
}

// TestSyncRefusesARebindingFeed: the feed's host resolved to a public
// address when it was connected. When it resolves to loopback by the time
// of the sync, the sync's check refuses it; when it answers the check
// with a public address and the dial with loopback (DNS rebinding), the
// dialer refuses it at the socket. Each sync fails with the reason in the
// sync log, and nothing is stored or requested.
func TestSyncRefusesARebindingFeed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.host.Set("/f.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(3, 1))})
		port := strings.TrimPrefix(e.host.URL(""), "http://127.0.0.1:")
		e.in.Fetcher = feed.NewFetcher(feed.FetchConfig{})
		public, loopback := netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("127.0.0.1")
		var lookups atomic.Int32 // since the answers last changed
		var publicAnswers atomic.Int32
		publicAnswers.Store(1 << 20)
		e.in.Fetcher.SetAddressRule(nil, func(context.Context, string) ([]netip.Addr, error) {
			if lookups.Add(1) <= publicAnswers.Load() {
				return []netip.Addr{public}, nil
			}
			return []netip.Addr{loopback}, nil
		})
		answerPublic := func(n int32) { lookups.Store(0); publicAnswers.Store(n) }
		shop, _, err := e.in.Connect(ctx, stockbell.FeedSettings{Domain: "shop.example.com", URL: "http://feeds.rebinding.example:" + port + "/f.json"})
		must(t, err)
		for _, c := range []struct {
			publicAnswers int32
			reason        string
		}{{0, "resolves to 127.0.0.1"}, {1, "refused to connect to 127.0.0.1"}} {
			answerPublic(c.publicAnswers)
			r := e.sync(shop)
			if !r.Failed() || !strings.Contains(r.Failure, c.reason) || r.Changed != 0 {
				t.Fatalf("sync of a rebinding feed = %+v, want %q", r, c.reason)
			}
			if kind, d := e.lastLog(shop); kind != stockbell.EventSyncFailed || !strings.Contains(d["reason"].(string), c.reason) {
				t.Fatalf("sync log = %s %v", kind, d)
			}
		}
		if _, total, err := db.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shop.ID}); err != nil || total != 0 {
			t.Fatalf("%d variants stored from a refused feed (%v)", total, err)
		}
		if e.host.Hits("/f.json") != 0 {
			t.Fatal("the rebinding feed was requested")
		}
	})
}
