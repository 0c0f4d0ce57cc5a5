package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/restock/restocktest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// catalogThatRestocksMeanwhile is the store's catalog, which runs
// meanwhile once, right after the storefront's sold-out check read the
// variant: what lands between that check and the subscription's insert.
type catalogThatRestocksMeanwhile struct {
	stockbell.CatalogService
	meanwhile func()
}

func (c *catalogThatRestocksMeanwhile) FindVariantForSignup(ctx context.Context, shopID int64, platformID string) (*stockbell.VariantWithProduct, error) {
	v, err := c.CatalogService.FindVariantForSignup(ctx, shopID, platformID)
	if run := c.meanwhile; run != nil && err == nil {
		c.meanwhile = nil
		run()
	}
	return v, err
}

// TestSignUpRacingARestockIsNotifiedInThatRestock: a shopper's post
// passes the storefront's check on a sold-out variant; before it is
// stored, the variant is restocked and the restock engine decides on the
// queue as it was, its batch telling the shopper who waited. The post is
// still taken (201, queued), and its insert, seeing the variant in stock,
// wakes the engine: until it decides, the admin shows the late shopper
// waiting with the item in stock and the engine about to decide; then a
// second batch of that restock tells them, not left waiting for the next
// restock. Another shop's shopper
// queued for a variant of the same platform id is not touched.
func TestSignUpRacingARestockIsNotifiedInThatRestock(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin := newAdminFixture(t, db)
		catalog := &catalogThatRestocksMeanwhile{CatalogService: db}
		f := newStorefront(t, db, noLimits(), noLimits(), func(s *web.Storefront) { s.Catalog = catalog })
		other, otherSub := otherShopWaiting(t, db)
		v, err := db.FindVariant(ctx, f.shop.ID, "111")
		failOnError(t, err)
		if code, out, _ := f.post(t, body(map[string]any{"email": "early@example.com"})); code != http.StatusCreated {
			t.Fatalf("early sign-up: %d %v", code, out)
		}

		restocked, decided := make(chan error, 1), make(chan struct{})
		letThePostGoOn := sync.OnceFunc(func() { close(decided) })
		defer letThePostGoOn() // should the test end first: the server's Close waits for the post
		catalog.meanwhile = func() {
			_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: f.shop.ID, VariantPlatformID: "111", LocationID: "2",
				Available: 3, At: db.Clock.Now(), Source: "test"}) // a second location: the first has no platform time
			restocked <- err
			<-decided
		}
		answer := postInBackground(f, body(map[string]any{"email": "late@example.com"}))
		select {
		case err := <-restocked:
			failOnError(t, err)
		case a := <-answer:
			t.Fatalf("the sign-up was answered (%d %v, %v) without a restock between its check and its insert", a.code, a.out, a.err)
		}
		restocktest.Run(t, db) // the engine decides while the post waits to be stored
		if n := countEvents(t, db, v.ID, stockbell.EventBatchStarted); n != 1 {
			t.Fatalf("%d batches for the restock, want 1", n)
		}
		letThePostGoOn()
		a := <-answer
		failOnError(t, a.err)
		code, out := a.code, a.out
		if code != http.StatusCreated || out["subscription"].(map[string]any)["status"] != "queued" {
			t.Fatalf("sign-up racing the restock: %d %v, want 201 queued", code, out)
		}
		wantStatuses(t, db, f.shop.ID, map[string]stockbell.SubscriptionStatus{
			"early@example.com": stockbell.SubscriptionNotified, "late@example.com": stockbell.SubscriptionQueued})
		if n := countEvents(t, db, v.ID, stockbell.EventBatchStarted); n != 1 {
			t.Fatalf("%d batches once the late sign-up was stored, want the restock's 1", n)
		}
		late := int64(out["subscription"].(map[string]any)["id"].(float64))
		page := visibleText(admin.signIn(t, f.shop).get(fmt.Sprintf("/admin/subscribers/%d", late)).Body)
		for _, want := range []string{"Waiting: 1st in line of 1", "The item is in stock: the engine is about to decide"} {
			if !strings.Contains(page, want) {
				t.Fatalf("the late shopper's admin page does not say %q:\n%s", want, page)
			}
		}

		restocktest.Run(t, db)
		wantStatuses(t, db, f.shop.ID, map[string]stockbell.SubscriptionStatus{
			"early@example.com": stockbell.SubscriptionNotified, "late@example.com": stockbell.SubscriptionNotified})
		if n := countEvents(t, db, v.ID, stockbell.EventBatchStarted); n != 2 {
			t.Fatalf("%d batches for the restocked variant, want 2: the restock's, and the one the late sign-up woke", n)
		}
		got, err := db.FindSubscriptionByID(ctx, other.ID, otherSub.ID)
		failOnError(t, err)
		if got.Status != stockbell.SubscriptionQueued || !got.UpdatedAt.Equal(otherSub.UpdatedAt) {
			t.Fatalf("the other shop's shopper: %s, updated %v; want queued, untouched since %v", got.Status, got.UpdatedAt, otherSub.UpdatedAt)
		}
		if n := countEvents(t, db, otherSub.VariantID, stockbell.EventBatchStarted); n != 0 {
			t.Fatalf("%d batches for the other shop's variant, still sold out", n)
		}
	})
}

// otherShopWaiting installs a second shop with the storefront's product
// ids, its variant "111" sold out too, and queues a shopper for it.
func otherShopWaiting(t *testing.T, db *store.DB) (*stockbell.Shop, *stockbell.Subscription) {
	t.Helper()
	ctx := context.Background()
	shop := storetest.MustShop(t, db, stockbell.PlatformShopify, "other-bells.myshopify.com")
	_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "9001", Title: "Bell", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "111", Title: "Small", InventoryPolicy: stockbell.InventoryDeny, Tracked: true,
			Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
	failOnError(t, err)
	v, err := db.FindVariant(ctx, shop.ID, "111")
	failOnError(t, err)
	sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Email: "early@example.com",
		Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "snippet"})
	failOnError(t, err)
	return shop, sub
}

// wantStatuses fails unless the shop's subscriptions of these emails have these statuses.
func wantStatuses(t *testing.T, db *store.DB, shopID int64, want map[string]stockbell.SubscriptionStatus) {
	t.Helper()
	for email, status := range want {
		subs, _, err := db.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &shopID, Email: &email})
		failOnError(t, err)
		if len(subs) != 1 || subs[0].Status != status {
			var got []stockbell.SubscriptionStatus
			for _, s := range subs {
				got = append(got, s.Status)
			}
			t.Fatalf("%s: subscriptions %v, want one, %s", email, got, status)
		}
	}
}

// countEvents counts the variant's events of a kind.
func countEvents(t *testing.T, db *store.DB, variantID int64, kind stockbell.EventKind) int {
	t.Helper()
	var n int
	failOnError(t, db.DB.Get(&n, db.DB.Rebind(`SELECT COUNT(*) FROM events WHERE variant_id = ? AND kind = ?`), variantID, kind))
	return n
}

// postAnswer is the storefront's answer to a post.
type postAnswer struct {
	code int
	out  map[string]any
	err  error
}

// postInBackground sends the post as the snippet does (post), from a
// goroutine of its own, and hands over the answer when it comes.
func postInBackground(f *storefrontFixture, body string) <-chan postAnswer {
	answer := make(chan postAnswer, 1)
	go func() {
		var a postAnswer
		resp, err := http.Post(f.url, "text/plain;charset=UTF-8", strings.NewReader(body))
		if a.err = err; err == nil {
			defer resp.Body.Close()
			a.code, a.err = resp.StatusCode, json.NewDecoder(resp.Body).Decode(&a.out)
		}
		answer <- a
	}()
	return answer
}

func failOnError(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
