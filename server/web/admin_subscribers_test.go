package web_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// waitingShop is a shop with a sold-out "Wool Sweater – M" and subscribers
// queued for it one minute apart, and a second shop with its own.
type waitingShop struct {
	shop, other *stockbell.Shop
	variant     *stockbell.VariantWithProduct
	subs        []*stockbell.Subscription
	otherSub    *stockbell.Subscription
}

func newWaitingShop(t *testing.T, f *adminFixture, emails ...string) *waitingShop {
	t.Helper()
	return newWaitingShopOn(t, f, stockbell.PlatformFeed, emails...)
}

// newWaitingShopOn is newWaitingShop with both shops on the platform.
func newWaitingShopOn(t *testing.T, f *adminFixture, platform stockbell.Platform, emails ...string) *waitingShop {
	t.Helper()
	ctx := context.Background()
	w := &waitingShop{shop: storetest.MustShop(t, f.db, platform, "a.example"), other: storetest.MustShop(t, f.db, platform, "b.example")}
	for _, shop := range []*stockbell.Shop{w.shop, w.other} {
		_, err := f.db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Wool Sweater", Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: "v-m", Title: "M", SKU: "WS-M", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
				Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if w.variant, err = f.db.FindVariant(ctx, w.shop.ID, "v-m"); err != nil {
		t.Fatal(err)
	}
	subscribe := func(shopID, variantID int64, email string) *stockbell.Subscription {
		sub, _, err := f.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shopID, VariantID: variantID, Email: email,
			Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		return sub
	}
	for _, email := range emails {
		w.subs = append(w.subs, subscribe(w.shop.ID, w.variant.ID, email))
	}
	otherVariant, _ := f.db.FindVariant(ctx, w.other.ID, "v-m")
	w.otherSub = subscribe(w.other.ID, otherVariant.ID, "someone@other.example")
	return w
}

func TestSubscribersSearchFilterAndPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		var emails []string
		for i := range 55 {
			emails = append(emails, fmt.Sprintf("shopper%02d@example.com", i))
		}
		w := newWaitingShop(t, f, emails...)
		b := f.signIn(t, w.shop)
		first := b.get("/admin/subscribers")
		wantStatus(t, first, http.StatusOK, "the subscribers page")
		if !strings.Contains(first.Body, "shopper00@example.com") || strings.Contains(first.Body, "shopper50@example.com") ||
			!strings.Contains(first.Body, "Showing 1–50 of 55") || strings.Contains(first.Body, "someone@other.example") {
			t.Fatalf("first page: want the oldest 50 of this shop only:\n%.3000s", first.Body)
		}
		second := b.get("/admin/subscribers?page=2")
		if !strings.Contains(second.Body, "shopper54@example.com") || !strings.Contains(second.Body, "Showing 51–55 of 55") {
			t.Fatalf("second page:\n%.3000s", second.Body)
		}
		found := b.get("/admin/subscribers?q=" + url.QueryEscape("SHOPPER07"))
		if !strings.Contains(found.Body, "shopper07@example.com") || !strings.Contains(found.Body, "Showing 1–1 of 1") {
			t.Fatalf("search:\n%.3000s", found.Body)
		}
		none := b.get("/admin/subscribers?q=someone")
		if !strings.Contains(none.Body, "No subscriber matches") {
			t.Fatalf("search for shop B's subscriber found something:\n%.3000s", none.Body)
		}
		byStatus := b.get("/admin/subscribers?status=notified")
		if !strings.Contains(byStatus.Body, "No subscriber matches") {
			t.Fatalf("status filter:\n%.2000s", byStatus.Body)
		}
		byVariant := b.get(fmt.Sprintf("/admin/subscribers?variant=%d&status=queued", w.variant.ID))
		if !strings.Contains(byVariant.Body, "Showing 1–50 of 55") || !strings.Contains(byVariant.Body, "Waiting for <strong>Wool Sweater – M</strong> only") {
			t.Fatalf("variant filter:\n%.3000s", byVariant.Body)
		}
		otherVariant, _ := db.FindVariant(context.Background(), w.other.ID, "v-m")
		wantStatus(t, b.get(fmt.Sprintf("/admin/subscribers?variant=%d", otherVariant.ID)), http.StatusNotFound, "filtering on shop B's variant")
	})
}

// TestSubscribersFilterThatIsNotOneIsRefused: a status that is not one
// (a mistyped or old link, "waiting" or "Queued") or a variant that is not
// an id does not quietly list, or export, every subscriber: the page says
// what is wrong beside the status field, which keeps what was asked, and
// the export is refused with the same words instead of a file.
func TestSubscribersFilterThatIsNotOneIsRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		for _, tc := range []struct{ query, field, words string }{
			{"status=Queued", "status", `status must be queued, pending, held, notified, discarded, unsubscribed or cancelled, got "Queued"`},
			{"status=waiting&q=ann", "status", `got "waiting"`},
			{"variant=abc", "variant", `variant must be Stockbell's id of a variant, a whole number, got "abc"`},
		} {
			listed := b.get("/admin/subscribers?" + tc.query)
			wantStatus(t, listed, http.StatusUnprocessableEntity, tc.query)
			text := html.UnescapeString(visibleText(listed.Body))
			if !strings.Contains(text, tc.words) || strings.Contains(listed.Body, "ann@example.com</a>") {
				t.Errorf("%s: the page lists subscribers or does not say why not:\n%s", tc.query, text)
			}
			if tc.field == "status" && !regexp.MustCompile(`id="status"[^>]*aria-invalid="true"`).MatchString(listed.Body) {
				t.Errorf("%s: the status field is not marked invalid:\n%.2000s", tc.query, listed.Body)
			}
			exported := b.get("/admin/subscribers/export?" + tc.query)
			wantStatus(t, exported, http.StatusUnprocessableEntity, tc.query+": the export")
			if strings.Contains(exported.Body, "ann@example.com") || !strings.Contains(html.UnescapeString(visibleText(exported.Body)), tc.words) {
				t.Errorf("%s: the export answered:\n%.1500s", tc.query, exported.Body)
			}
		}
		if kept := b.get("/admin/subscribers?status=waiting&q=ann"); !strings.Contains(kept.Body, `value="ann"`) {
			t.Errorf("the refused search does not keep what was typed:\n%.2000s", kept.Body)
		}
	})
}

// TestSubscribersListNamesTheItemOfEveryStatus: the list names what each
// subscriber signed up for as the subscriber's page does, "Item", for a
// removed one too, and says "waiting for" only of the queued.
func TestSubscribersListNamesTheItemOfEveryStatus(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		if err := db.Unsubscribe(context.Background(), w.shop.ID, w.subs[0].ID); err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, w.shop)
		list := b.get("/admin/subscribers")
		wantStatus(t, list, http.StatusOK, "the subscribers page")
		heads := regexp.MustCompile(`<th scope="col"[^>]*>([^<]*)</th>`).FindAllStringSubmatch(list.Body, -1)
		if len(heads) < 2 || heads[1][1] != "Item" || strings.Contains(list.Body, "Waiting for") {
			t.Errorf("the list of a removed and a queued subscriber heads its columns %q", heads)
		}
		byVariant := b.get(fmt.Sprintf("/admin/subscribers?variant=%d", w.variant.ID))
		if !strings.Contains(byVariant.Body, "Subscribed to <strong>Wool Sweater – M</strong> only") || strings.Contains(byVariant.Body, "Waiting for") {
			t.Errorf("the list of every status for one variant:\n%.3000s", byVariant.Body)
		}
	})
}

// TestSearchForZeroKeepsItsLinks: a search for "0" is a search like any
// other: the page's export and pager links carry it, rather than export
// every subscriber.
func TestSearchForZeroKeepsItsLinks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bo0@example.com")
		found := f.signIn(t, w.shop).get("/admin/subscribers?q=0")
		if !strings.Contains(found.Body, "bo0@example.com") || strings.Contains(found.Body, "ann@example.com") {
			t.Fatalf("search for 0: want bo0 only:\n%.3000s", found.Body)
		}
		if !strings.Contains(found.Body, `href="/admin/subscribers/export?q=0"`) {
			t.Fatalf("search for 0: the export link leaves the search out:\n%.3000s", found.Body)
		}
	})
}

func TestSubscriberTimelineAnswersWhy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		ctx := context.Background()
		if _, err := db.UpdateSettings(ctx, w.shop.ID, stockbell.SettingsUpdate{MinInventory: ptr(3)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateSettings(ctx, w.shop.ID, stockbell.SettingsUpdate{Wait: ptr(90 * time.Minute), AttributionWindow: ptr(48 * time.Hour), PerUnit: ptr(10_000)}); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Hour)
		if _, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: w.shop.ID, VariantPlatformID: "v-m", Available: 2,
			At: f.clock.Now(), Source: "shopify:inventory_levels/update"}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordSkip(ctx, w.shop.ID, w.variant.ID, stockbell.SkipBelowMinimum, map[string]any{"stock": 2, "min_inventory": 3}); err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, w.shop)
		p := b.get(fmt.Sprintf("/admin/subscribers/%d", w.subs[1].ID))
		wantStatus(t, p, http.StatusOK, "bea's page")
		for _, want := range []string{
			"Waiting: 2nd in line of 2 for Wool Sweater – M.",
			"Stock is 2 units; nobody is notified until it reaches the minimum inventory of 3 units.",
			"Subscribed to Wool Sweater – M", "with the button on the product page",
			"Changed: minimum inventory 1 → 3.",
			"customers per unit 0 → 10000; wait between batches 1 hour → 1 hour 30 minutes; attribution window 7 days → 2 days.",
			"Restock seen: stock 0 → 2", "Reported by Shopify&#39;s inventory webhook.",
			"Nobody notified", "Stock was 2 units, below the minimum inventory of 3 units.",
			"1 hour 2 minutes after subscribing",
		} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("bea's page lacks %q", want)
			}
		}
		if t.Failed() {
			t.Logf("page:\n%s", p.Body)
		}
	})
}

// TestTimelineCountsSecondsAfterSubscribing: a restock seen seconds after
// the shopper subscribed, as on the demo shop's first run, is said to come
// that many seconds after subscribing, not "when subscribing", which only
// the subscription itself is.
func TestTimelineCountsSecondsAfterSubscribing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		ctx := context.Background()
		ann, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID, Email: "ann@example.com",
			Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(14 * time.Second)
		if _, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: w.shop.ID, VariantPlatformID: "v-m", Available: 5,
			At: f.clock.Now(), Source: "demo:inventory/restock"}); err != nil {
			t.Fatal(err)
		}
		p := f.signIn(t, w.shop).get(fmt.Sprintf("/admin/subscribers/%d", ann.ID))
		wantStatus(t, p, http.StatusOK, "ann's page")
		if got := strings.Count(p.Body, "when subscribing"); got != 1 {
			t.Errorf(`"when subscribing" %d times, want once (the subscription)`, got)
		}
		if want := "Reported by the demo shop&#39;s Simulate restock."; !strings.Contains(p.Body, want) {
			t.Errorf("the restock's source is not in words: want %q in\n%s", want, regexp.MustCompile(`.*Reported.*`).FindAllString(p.Body, -1))
		}
		if !strings.Contains(p.Body, "14 seconds after subscribing") {
			t.Errorf("the restock 14 s later is not 14 seconds after subscribing:\n%s", regexp.MustCompile(`.*subscribing.*`).FindAllString(p.Body, -1))
		}
	})
}

func TestRemoveSubscriberNeedsCSRFAndShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		path := fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID)
		wantStatus(t, b.post(path+"/remove", url.Values{}), http.StatusForbidden, "removing without the CSRF token")
		token := b.get(path).csrf(t)
		other := fmt.Sprintf("/admin/subscribers/%d/remove", w.otherSub.ID)
		wantStatus(t, b.post(other, url.Values{"csrf_token": {token}}), http.StatusNotFound, "removing shop B's subscriber")
		statusOf := func(s *stockbell.Subscription) stockbell.SubscriptionStatus {
			sub, err := db.FindSubscriptionByID(context.Background(), s.ShopID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			return sub.Status
		}
		if statusOf(w.subs[0]) != stockbell.SubscriptionQueued || statusOf(w.otherSub) != stockbell.SubscriptionQueued {
			t.Fatal("a refused removal changed a subscription")
		}
		p := b.post(path+"/remove", url.Values{"confirm": {"yes"}, "csrf_token": {token}})
		wantStatus(t, p, http.StatusSeeOther, "removing")
		if statusOf(w.subs[0]) != stockbell.SubscriptionCancelled {
			t.Fatal("not removed")
		}
		after := b.get(p.Header.Get("Location"))
		if !strings.Contains(after.Body, "Removed from the queue on") || !strings.Contains(after.Body, "Removed in the admin by owner@example.com.") {
			t.Fatalf("page after removal:\n%.4000s", after.Body)
		}
	})
}

// TestSessionOfShopACannotReachShopB asks, with shop A's session, for shop
// B's subscriber page, its export and its settings: each is 404 and
// nothing changes.
func TestSessionOfShopACannotReachShopB(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		wantStatus(t, b.get(fmt.Sprintf("/admin/subscribers/%d", w.otherSub.ID)), http.StatusNotFound, "shop B's subscriber")
		wantStatus(t, b.get("/admin/subscribers/export?shop="+w.other.Domain), http.StatusNotFound, "shop B's export")
		wantStatus(t, b.get("/admin/subscribers?shop="+w.other.PublicKey), http.StatusNotFound, "shop B's subscribers")
		export := b.get("/admin/subscribers/export")
		wantStatus(t, export, http.StatusOK, "shop A's export")
		if strings.Contains(export.Body, "someone@other.example") {
			t.Fatal("shop A's export contains shop B's subscriber")
		}
	})
}

// notifiedAfterFirstRead is the store's subscriptions, where the
// subscriptions of the first read are notified right after it, as a
// restock may do while an export runs.
type notifiedAfterFirstRead struct {
	stockbell.SubscriptionService
	db    *store.DB
	reads int
}

func (n *notifiedAfterFirstRead) FindSubscriptions(ctx context.Context, filter stockbell.SubscriptionFilter) ([]*stockbell.Subscription, int, error) {
	subs, total, err := n.SubscriptionService.FindSubscriptions(ctx, filter)
	if n.reads++; n.reads == 1 && err == nil {
		for _, sub := range subs {
			if _, err := n.db.DB.ExecContext(ctx, n.db.DB.Rebind(`UPDATE subscriptions SET status = 'notified' WHERE id = ?`), sub.ID); err != nil {
				return nil, 0, err
			}
		}
	}
	return subs, total, err
}

// TestExportOfTheQueueWhileSubscribersAreNotified: the export of everyone
// waiting reads on from the last subscriber it wrote, so subscribers
// notified while it runs (leaving the status it filters on) do not shift
// the rest out of it.
func TestExportOfTheQueueWhileSubscribersAreNotified(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixtureOf(t, db, nil, func(deps *web.AdminDeps) {
			deps.Subscriptions = &notifiedAfterFirstRead{SubscriptionService: db, db: db}
		})
		var emails []string
		for i := range 1005 { // more than one read of the export
			emails = append(emails, fmt.Sprintf("s%04d@example.com", i))
		}
		w := newWaitingShop(t, f, emails[:1]...)
		for _, email := range emails[1:] {
			if _, _, err := db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: w.shop.ID,
				VariantID: w.variant.ID, Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}}); err != nil {
				t.Fatal(err)
			}
		}
		p := f.signIn(t, w.shop).get("/admin/subscribers/export?status=queued")
		wantStatus(t, p, http.StatusOK, "export")
		rows, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1006 || rows[1][1] != "s0000@example.com" || rows[1005][1] != "s1004@example.com" {
			t.Fatalf("%d rows (want the 1,005 queued when the export began); first %v; last %v", len(rows), rows[1], rows[len(rows)-1])
		}
	})
}

func TestExportSubscribersCSV(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		var emails []string
		for i := range 1005 { // more than one read of the export
			emails = append(emails, fmt.Sprintf("s%04d@example.com", i))
		}
		w := newWaitingShop(t, f, emails[:3]...)
		ctx := context.Background()
		for _, email := range emails[3:] {
			if _, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
				Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: w.shop.ID, PlatformID: "p1", Title: "=HYPERLINK(\"x\")", Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: "v-m", Title: "M", SKU: "WS-M", Tracked: true}}}); err != nil {
			t.Fatal(err)
		}
		p := f.signIn(t, w.shop).get("/admin/subscribers/export?status=queued")
		wantStatus(t, p, http.StatusOK, "export")
		if ct, cd := p.Header.Get("Content-Type"), p.Header.Get("Content-Disposition"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(cd, "stockbell-subscribers-a.example-") {
			t.Fatalf("export headers %q %q", ct, cd)
		}
		rows, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1006 || rows[0][1] != "email" || rows[1][1] != "s0000@example.com" || rows[1005][1] != "s1004@example.com" {
			t.Fatalf("%d rows; header %v; first %v; last %v", len(rows), rows[0], rows[1], rows[len(rows)-1])
		}
		if rows[1][6] != `'=HYPERLINK("x")` || rows[1][8] != "WS-M" || rows[1][4] != "queued" {
			t.Fatalf("row %v: want the product title neutralised as text, the SKU and the status", rows[1])
		}
		withBOM := f.signIn(t, w.shop).get("/admin/subscribers/export?status=queued&bom=1")
		if !strings.HasPrefix(withBOM.Body, "\uFEFFid,email,") || strings.HasPrefix(p.Body, "\uFEFF") {
			t.Fatalf("bom=1 export starts %q; plain export starts %q", withBOM.Body[:12], p.Body[:12])
		}
	})
}

func ptr[T any](v T) *T { return &v }

// subscriptionsCutOff is the store's subscriptions, with every read after
// the first failing.
type subscriptionsCutOff struct {
	stockbell.SubscriptionService
	reads int
}

func (s *subscriptionsCutOff) FindSubscriptions(ctx context.Context, filter stockbell.SubscriptionFilter) ([]*stockbell.Subscription, int, error) {
	if s.reads++; s.reads > 1 {
		return nil, 0, errors.New("connection lost")
	}
	return s.SubscriptionService.FindSubscriptions(ctx, filter)
}

// TestExportSubscribersCutShortFails: a subscribers export whose read
// fails after rows went out is broken off, so the download fails rather
// than ending as if the file were complete.
func TestExportSubscribersCutShortFails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixtureOf(t, db, nil, func(deps *web.AdminDeps) {
			deps.Subscriptions = &subscriptionsCutOff{SubscriptionService: db}
		})
		w := newWaitingShop(t, f)
		addSubscribers(t, f, w, 1500) // more than one read of the export
		b := f.signIn(t, w.shop)
		resp, err := b.client.Get(b.base + "/admin/subscribers/export")
		wantBrokenOff(t, resp, err)
	})
}

// addSubscribers queues n subscribers for the shop's variant in one
// statement.
func addSubscribers(t *testing.T, f *adminFixture, w *waitingShop, n int) {
	t.Helper()
	_, err := f.db.DB.ExecContext(context.Background(), f.db.DB.Rebind(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO subscriptions (shop_id, variant_id, email, channels, status, created_at, updated_at)
		SELECT ?, ?, 'bulk' || i || '@example.com', 'email', 'queued', ?, ? FROM n`),
		n, w.shop.ID, w.variant.ID, f.clock.Now(), f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
}

// TestSubscriberFactsReadAsWords: a subscriber's page names their language
// and their consents in words, not as a locale code and a bare yes or no.
func TestSubscriberFactsReadAsWords(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		ann, _, err := db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
			Email: "ann@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}, Locale: "fr-CA", Source: "snippet"})
		if err != nil {
			t.Fatal(err)
		}
		p := f.signIn(t, w.shop).get(fmt.Sprintf("/admin/subscribers/%d", ann.ID))
		wantStatus(t, p, http.StatusOK, "ann's page")
		facts := visibleText(regexp.MustCompile(`(?s)<dt>Contact</dt>.*?<dt>Subscribed</dt>`).FindString(p.Body))
		for _, want := range []string{"ann@example.com by email, in French (fr-CA)", "Consent marketing consent not given"} {
			if !strings.Contains(facts, want) {
				t.Errorf("the subscriber's facts lack %q: %s", want, facts)
			}
		}
	})
}

// TestRemoveHeldSubscriberFromTheirBatch: a shopper held in a manual
// flow's batch has "Remove from this batch" on their page, at the route
// of "Remove from the queue". Removing them cancels them, skips their
// held alert and says so; the Flow page then lists and approves the
// shoppers still held, Products in demand and the dashboard count only
// them, and once approved only they are notified. A notified shopper is
// not removed, and the page says so rather than that they were.
func TestRemoveHeldSubscriberFromTheirBatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com", "cy@example.com")
		batch := holdBatch(t, f, w)
		b := f.signIn(t, w.shop)
		path := fmt.Sprintf("/admin/subscribers/%d", w.subs[1].ID)
		page := b.get(path)
		wantStatus(t, page, http.StatusOK, "a held subscriber's page")
		if text := visibleText(page.Body); !strings.Contains(text, "Remove from this batch") || strings.Contains(text, "Remove from the queue") {
			t.Fatalf("a held subscriber's page offers no removal from the batch:\n%s", text)
		}
		p := b.post(path+"/remove", url.Values{"confirm": {"yes"}, "csrf_token": {page.csrf(t)}})
		wantStatus(t, p, http.StatusSeeOther, "removing a held subscriber")
		if got := subscriptionStatus(t, db, w.subs[1]); got != stockbell.SubscriptionCancelled {
			t.Fatalf("the removed held subscriber is %s, want cancelled", got)
		}
		after := visibleText(b.get(p.Header.Get("Location")).Body)
		for _, want := range []string{
			"Removed from the batch: their alert will not be sent.",
			fmt.Sprintf("Removed from batch %d on", batch.ID),
			"Removed in the admin by owner@example.com",
			"the subscriber was removed from their batch before it was approved",
		} {
			if !strings.Contains(after, want) {
				t.Errorf("the page after removal lacks %q:\n%s", want, after)
			}
		}
		if strings.Contains(after, "Remove from") {
			t.Errorf("the page still offers a removal after it:\n%s", after)
		}
		wantPageSays(t, b, "/admin/flow", "2 messages to ann@example.com, cy@example.com Approve 2")
		// Dee, who subscribes after the batch, keeps the item in demand.
		if _, _, err := db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
			Email: "dee@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}}); err != nil {
			t.Fatal(err)
		}
		wantPageSays(t, b, "/admin/products", "3 taken from the queue, 2 awaiting your approval")
		wantPageSays(t, b, "/admin", "1 batch of alerts waits for your approval")

		if n, err := db.ApproveHeldBatch(context.Background(), w.shop.ID, batch.ID, decider); err != nil || n != 2 {
			t.Fatalf("approving: %d approved (%v), want Ann and Cy", n, err)
		}
		wantPageSays(t, b, "/admin", "2 notified in the last 30 days")
		ann := fmt.Sprintf("/admin/subscribers/%d", w.subs[0].ID)
		p = b.post(ann+"/remove", url.Values{"csrf_token": {b.get(ann).csrf(t)}})
		wantStatus(t, p, http.StatusSeeOther, "removing a notified subscriber")
		if got := subscriptionStatus(t, db, w.subs[0]); got != stockbell.SubscriptionNotified {
			t.Fatalf("the notified subscriber is %s after a removal, want notified", got)
		}
		if text := visibleText(b.get(p.Header.Get("Location")).Body); !strings.Contains(text, "Not removed: this subscriber no longer waits") {
			t.Errorf("removing a notified subscriber says:\n%s", text)
		}
	})
}

// TestRemovePendingSignUp: a shopper who signed up and has not confirmed
// yet has "Remove this sign-up" on their page, at the route of "Remove
// from the queue", with its own question. Removing them cancels the
// sign-up; the page says so, and the timeline says who removed it before
// the shopper confirmed.
func TestRemovePendingSignUp(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ps := openPendingShopperPage(t, db)
		page := ps.b.get(ps.path)
		wantStatus(t, page, http.StatusOK, "a pending subscriber's page")
		if text := visibleText(page.Body); !strings.Contains(text, "Remove this sign-up") || strings.Contains(text, "Remove from") {
			t.Fatalf("a pending subscriber's page offers no removal of the sign-up:\n%s", text)
		}
		form := url.Values{"csrf_token": {page.csrf(t)}}
		wantAsked(t, ps.b.post(ps.path+"/remove", form), ps.path+"/remove", "Remove this sign-up? The shopper has not confirmed it yet: "+
			"confirming afterwards will not put them in the queue, and nothing will be sent to them about this item.", "Yes, remove this sign-up", ps.path, form)
		if got := subscriptionStatus(t, db, ps.pending); got != stockbell.SubscriptionPending {
			t.Fatalf("the sign-up removed without the confirmation is %s, want pending", got)
		}
		p := ps.b.post(ps.path+"/remove", confirmed(form))
		wantStatus(t, p, http.StatusSeeOther, "removing a pending subscriber")
		if got := subscriptionStatus(t, db, ps.pending); got != stockbell.SubscriptionCancelled {
			t.Fatalf("the removed sign-up is %s, want cancelled", got)
		}
		after := visibleText(ps.b.get(p.Header.Get("Location")).Body)
		for _, want := range []string{
			"Sign-up removed: their confirmation no longer puts them in the queue.",
			"Sign-up removed on",
			"before the shopper confirmed it.",
			"Removed in the admin by owner@example.com before the shopper confirmed",
		} {
			if !strings.Contains(after, want) {
				t.Errorf("the page after removal lacks %q:\n%s", want, after)
			}
		}
		if strings.Contains(after, "Remove this sign-up") || strings.Contains(after, "Removed from the queue") {
			t.Errorf("the page after removal still offers it, or says the shopper was queued:\n%s", after)
		}
	})
}

// TestRemovingTwiceSaysWhatTheRemovalDid: a removal posted again (a
// double click, a second tab) changes nothing, and its notice says what
// the first removal did, when: out of the batch, the sign-up, or out of
// the queue, never "Removed from the queue" for a shopper who was not in it.
func TestRemovingTwiceSaysWhatTheRemovalDid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com")
		batch := holdBatch(t, f, w)
		queued, _, err := db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
			Email: "cy@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
		if err != nil || queued.Status != stockbell.SubscriptionQueued {
			t.Fatalf("Cy's sign-up: %+v (%v), want queued", queued, err)
		}
		pending := pendingSMSSignUp(t, db, w)
		b := f.signIn(t, w.shop)
		for _, c := range []struct {
			name      string
			sub       *stockbell.Subscription
			want, not string
		}{
			{"held", w.subs[1], fmt.Sprintf("Already removed from batch %d on", batch.ID), "Removed from the batch:"},
			{"pending", pending, "Sign-up already removed on", "Sign-up removed:"},
			{"queued", queued, "Already removed from the queue on", "Removed from the queue:"},
		} {
			path := fmt.Sprintf("/admin/subscribers/%d", c.sub.ID)
			token := b.get(path).csrf(t)
			wantStatus(t, b.post(path+"/remove", url.Values{"confirm": {"yes"}, "csrf_token": {token}}), http.StatusSeeOther, "removing the "+c.name+" subscriber")
			p := b.post(path+"/remove", url.Values{"csrf_token": {token}})
			wantStatus(t, p, http.StatusSeeOther, "removing the "+c.name+" subscriber again")
			after := visibleText(b.get(p.Header.Get("Location")).Body)
			if !strings.Contains(after, c.want) {
				t.Errorf("removing the %s subscriber again does not say %q:\n%s", c.name, c.want, after)
			}
			for _, wrong := range []string{"Removed from the queue:", "Removed from the batch:", "Sign-up removed:", "Not removed"} {
				if strings.Contains(after, wrong) {
					t.Errorf("removing the %s subscriber again says %q, as if removed now:\n%s", c.name, wrong, after)
				}
			}
		}
	})
}

// TestPendingPageSaysWhetherTheConfirmationLeft: a pending shopper's page
// says their confirmation request was sent, and when, only once the store
// records it sent; before, that it has not been sent yet.
func TestPendingPageSaysWhetherTheConfirmationLeft(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ps := openPendingShopperPage(t, db)
		before := visibleText(ps.b.get(ps.path).Body)
		if !strings.Contains(before, "The confirmation request to their phone (reply YES or tap its link) has not been sent yet") ||
			strings.Contains(before, "was sent") {
			t.Fatalf("the page of a shopper whose confirmation request has not left says:\n%s", before)
		}
		ps.f.clock.Add(3 * time.Minute)
		if err := db.MarkConfirmationSent(context.Background(), ps.w.shop.ID, confirmationID(t, db, ps.pending), "Reply YES"); err != nil {
			t.Fatal(err)
		}
		sent := visibleText(ps.b.get(ps.path).Body)
		want := "A confirmation request was sent to their phone (reply YES or tap its link) on " + ps.f.clock.Now().UTC().Format("2 Jan 2006, 15:04 UTC")
		if !strings.Contains(sent, want) || strings.Contains(sent, "not been sent") {
			t.Fatalf("the page of a shopper whose confirmation request left lacks %q:\n%s", want, sent)
		}
	})
}

// pendingShopperPage is the waiting shop with Ann queued and a pending SMS
// sign-up (pendingSMSSignUp), and its owner signed in; path is the pending
// shopper's page.
type pendingShopperPage struct {
	f       *adminFixture
	w       *waitingShop
	pending *stockbell.Subscription
	b       *browser
	path    string
}

func openPendingShopperPage(t *testing.T, db *store.DB) *pendingShopperPage {
	t.Helper()
	f := newAdminFixture(t, db)
	w := newWaitingShop(t, f, "ann@example.com")
	pending := pendingSMSSignUp(t, db, w)
	return &pendingShopperPage{f: f, w: w, pending: pending, b: f.signIn(t, w.shop), path: fmt.Sprintf("/admin/subscribers/%d", pending.ID)}
}

// pendingSMSSignUp signs a US number up for the waiting shop's variant by
// SMS, which waits for the shopper's confirmation (pending).
func pendingSMSSignUp(t *testing.T, db *store.DB, w *waitingShop) *stockbell.Subscription {
	t.Helper()
	pending, _, err := db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
		Phone: "+12015550123", Channels: stockbell.Channels{stockbell.ChannelSMS}, SMSConsent: true})
	if err != nil || pending.Status != stockbell.SubscriptionPending {
		t.Fatalf("a US number's sign-up: %+v (%v), want pending", pending, err)
	}
	return pending
}

// confirmationID is the id of the one confirmation asked of a sign-up.
func confirmationID(t *testing.T, db *store.DB, sub *stockbell.Subscription) int64 {
	t.Helper()
	data, err := db.ContactData(context.Background(), stockbell.Contact{ShopID: sub.ShopID, Phone: sub.Phone, Email: sub.Email})
	if err != nil || len(data.Confirmations) != 1 {
		t.Fatalf("the sign-up's confirmations: %+v (%v), want one", data, err)
	}
	return data.Confirmations[0].ID
}

// TestTimelineShowsTheConfirmationThatFailed: a confirmation request that
// could not be sent is an entry of the subscriber's timeline, at the time
// it failed, with the provider's reason, marked as not sent.
func TestTimelineShowsTheConfirmationThatFailed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ps := openPendingShopperPage(t, db)
		ps.f.clock.Add(3 * time.Minute)
		reason := "The SMS provider refused the message: HTTP 400, Twilio error 21614: To number is not a valid mobile number"
		if err := db.MarkConfirmationFailed(context.Background(), ps.w.shop.ID, confirmationID(t, db, ps.pending), reason); err != nil {
			t.Fatal(err)
		}
		timeline := regexp.MustCompile(`(?s)<ol class="timeline".*?</ol>`).FindString(ps.b.get(ps.path).Body)
		entry := regexp.MustCompile(`(?s)<li class="bad">.*?</li>`).FindString(timeline)
		for _, want := range []string{ps.f.clock.Now().UTC().Format("2 Jan 2006, 15:04 UTC"), "3 minutes after subscribing",
			"The confirmation request by text message could not be sent", "(not sent)", reason} {
			if !strings.Contains(visibleText(entry), want) {
				t.Errorf("the timeline's entry of the failed confirmation request %q lacks %q\n%s", visibleText(entry), want, visibleText(timeline))
			}
		}
	})
}

// TestPendingPageSaysTheConfirmationFailed: the page of a pending shopper
// whose confirmation request could not be sent says so, when and why, and
// offers "Send the confirmation again". It queues one new send: the page
// then says the request has not been sent yet, and the same post again (a
// double click, a second tab) queues none and says so. Another shop's
// subscriber is not found.
func TestPendingPageSaysTheConfirmationFailed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ps := openPendingShopperPage(t, db)
		if text := visibleText(ps.b.get(ps.path).Body); strings.Contains(text, "Send the confirmation again") {
			t.Fatalf("the page offers to send again a request that did not fail:\n%s", text)
		}
		ps.f.clock.Add(3 * time.Minute)
		reason := "The SMS provider refused the message: HTTP 400, Twilio error 21614: To number is not a valid mobile number"
		if err := db.MarkConfirmationFailed(context.Background(), ps.w.shop.ID, confirmationID(t, db, ps.pending), reason); err != nil {
			t.Fatal(err)
		}
		page := ps.b.get(ps.path)
		failed := visibleText(page.Body)
		want := "The confirmation request to their phone (reply YES or tap its link) could not be sent on " +
			ps.f.clock.Now().UTC().Format("2 Jan 2006, 15:04 UTC") + ": " + reason
		if !strings.Contains(failed, want) || !strings.Contains(failed, "Send the confirmation again") || strings.Contains(failed, "not been sent yet") {
			t.Fatalf("the page of a shopper whose confirmation request failed lacks %q or its button:\n%s", want, failed)
		}
		token := page.csrf(t)
		other := fmt.Sprintf("/admin/subscribers/%d/send-confirmation", ps.w.otherSub.ID)
		wantStatus(t, ps.b.post(other, url.Values{"csrf_token": {token}}), http.StatusNotFound, "sending shop B's confirmation again")
		p := ps.b.post(ps.path+"/send-confirmation", url.Values{"csrf_token": {token}})
		wantStatus(t, p, http.StatusSeeOther, "sending the confirmation again")
		after := visibleText(ps.b.get(p.Header.Get("Location")).Body)
		if !strings.Contains(after, "Confirmation request queued to be sent again.") || !strings.Contains(after, "has not been sent yet") ||
			strings.Contains(after, "Send the confirmation again") || strings.Contains(after, "could not be sent") {
			t.Fatalf("the page after sending the confirmation again says:\n%s", after)
		}
		p = ps.b.post(ps.path+"/send-confirmation", url.Values{"csrf_token": {token}})
		wantStatus(t, p, http.StatusSeeOther, "sending the confirmation again twice")
		if again := visibleText(ps.b.get(p.Header.Get("Location")).Body); !strings.Contains(again, "Not sent again:") {
			t.Fatalf("sending the confirmation again twice says:\n%s", again)
		}
		var jobs int
		if err := db.DB.GetContext(context.Background(), &jobs, `SELECT COUNT(*) FROM river_job WHERE kind = 'send_confirmation'`); err != nil || jobs != 2 {
			t.Fatalf("%d confirmation send jobs (%v), want the sign-up's and one sent again", jobs, err)
		}
	})
}
