package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// clickFixture is the storefront with click reports counted by delivery's
// short links, and an emailed message of its shop and one of another shop.
type clickFixture struct {
	*storefrontFixture
	signer          *delivery.Signer
	message, theirs int64
	other           *stockbell.Shop
}

func newClickFixture(t *testing.T, db *store.DB, perIP web.RateLimit) *clickFixture {
	t.Helper()
	signer, err := delivery.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	f := &clickFixture{signer: signer}
	f.storefrontFixture = newStorefront(t, db, perIP, noLimits(), func(s *web.Storefront) {
		s.Clicks = &delivery.ShortLinks{Signer: signer, Clicks: db}
	})
	f.url = strings.Replace(f.url, web.SubscriptionsPath, web.ClicksPath, 1)
	f.message = emailedMessage(t, db, f.shop, "jane@example.com")
	f.other = storetest.MustShop(t, db, stockbell.PlatformShopify, "other.myshopify.com")
	f.theirs = emailedMessage(t, db, f.other, "jane@example.com")
	return f
}

// emailedMessage is a sent email to a subscriber of the shop's only variant.
func emailedMessage(t *testing.T, db *store.DB, shop *stockbell.Shop, email string) int64 {
	t.Helper()
	ctx := context.Background()
	_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "click-product", Title: "Bell", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "click-variant", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 2}}}}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.FindVariant(ctx, shop.ID, "click-variant")
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Email: email,
		Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	now := db.Clock.Now()
	err = db.DB.GetContext(ctx, &id, db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel,
		recipient, status, due_at, created_at) VALUES (?, ?, 0, 'email', ?, 'sent', ?, ?) RETURNING id`), shop.ID, sub.ID, email, now, now)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *clickFixture) report(t *testing.T, shop, code string, headers ...string) (int, map[string]any, http.Header) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"shop": shop, "code": code})
	return f.post(t, string(b), headers...)
}

func (f *clickFixture) clicks(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.db.DB.Get(&n, `SELECT COUNT(*) FROM message_clicks`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLandingClickIsCountedOnceForItsShop: the click id a product page
// reports counts one click of the shop's message, readable by the
// storefront's page; a reload counts nothing more.
func TestLandingClickIsCountedOnceForItsShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newClickFixture(t, db, noLimits())
		code := f.signer.LinkCode(f.message)
		status, out, headers := f.report(t, "bells.myshopify.com", code, "Origin", "https://bells.myshopify.com")
		if status != http.StatusCreated || out["click"].(map[string]any)["counted"] != true ||
			headers.Get("Access-Control-Allow-Origin") != "https://bells.myshopify.com" || headers.Get("Cache-Control") != "no-store" {
			t.Fatalf("landing: %d %v %v", status, out, headers)
		}
		status, out, _ = f.report(t, "bells.myshopify.com", code, "Origin", "https://bells.myshopify.com")
		if status != http.StatusOK || out["click"].(map[string]any)["counted"] != false {
			t.Fatalf("reload: %d %v, want 200 not counted", status, out)
		}
		req, _ := http.NewRequest(http.MethodOptions, f.url, nil)
		req.Header.Set("Origin", "https://bells.myshopify.com")
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://bells.myshopify.com" {
			t.Fatalf("preflight: %v %v", err, resp)
		}
		resp.Body.Close()
		shopID, messageID := f.shop.ID, f.message
		if n, err := db.CountClicks(context.Background(), stockbell.ClickFilter{ShopID: &shopID, MessageID: &messageID}); err != nil || n != 1 {
			t.Fatalf("%d clicks of the message (%v), want 1", n, err)
		}
	})
}

// TestLandingClickRefusals: a report naming another shop's message, a
// forged or missing click id, an unknown shop or a foreign page is refused
// with an error naming what is wrong, and no click is stored.
func TestLandingClickRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newClickFixture(t, db, noLimits())
		mine := f.signer.LinkCode(f.message)
		cases := []struct {
			name, shop, code, origin string
			status                   int
			errCode, field           string
		}{
			{"another shop's message", "bells.myshopify.com", f.signer.LinkCode(f.theirs), "", 404, "not_found", "code"},
			{"my message through another shop", "other.myshopify.com", mine, "", 404, "not_found", "code"},
			{"a forged click id", "bells.myshopify.com", mine[:len(mine)-1] + "A", "", 422, "invalid", "code"},
			{"no click id", "bells.myshopify.com", " ", "", 422, "invalid", "code"},
			{"an unknown shop", "nope.myshopify.com", mine, "", 404, "not_found", "shop"},
			{"a foreign page", "bells.myshopify.com", mine, "https://evil.example", 403, "forbidden", ""},
		}
		for _, c := range cases {
			var headers []string
			if c.origin != "" {
				headers = []string{"Origin", c.origin}
			}
			status, out, h := f.report(t, c.shop, c.code, headers...)
			e, _ := out["error"].(map[string]any)
			message, _ := e["message"].(string)
			if status != c.status || e["code"] != c.errCode || (c.field != "" && e["field"] != c.field) || message == "" {
				t.Errorf("%s: %d %v, want %d %s on %q", c.name, status, out, c.status, c.errCode, c.field)
			}
			if c.origin != "" && h.Get("Access-Control-Allow-Origin") != c.origin {
				t.Errorf("%s: the refusal is not readable by the page (ACAO %q)", c.name, h.Get("Access-Control-Allow-Origin"))
			}
		}
		if status, out, _ := f.post(t, `{"shop":"bells.myshopify.com","code":`); status != 422 {
			t.Errorf("a cut body: %d %v, want 422", status, out)
		}
		if n := f.clicks(t); n != 0 {
			t.Fatalf("%d clicks stored by refused reports", n)
		}
	})
}

// TestLandingClicksAreRateLimited: click reports are limited per client
// address as subscriptions are, in a bucket of their own.
func TestLandingClicksAreRateLimited(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newClickFixture(t, db, web.RateLimit{Events: 2, Per: time.Hour})
		code := f.signer.LinkCode(f.message)
		for i := range 2 {
			if status, out, _ := f.report(t, "bells.myshopify.com", code); status != 201 && status != 200 {
				t.Fatalf("report %d: %d %v", i, status, out)
			}
		}
		status, out, headers := f.report(t, "bells.myshopify.com", code, "Origin", "https://bells.myshopify.com")
		if status != http.StatusTooManyRequests || headers.Get("Retry-After") == "" || out["error"].(map[string]any)["code"] != "rate_limited" {
			t.Fatalf("third report: %d %v", status, out)
		}
		f.url = strings.Replace(f.url, web.ClicksPath, web.SubscriptionsPath, 1)
		if status, out, _ := f.post(t, body(nil)); status != http.StatusCreated {
			t.Fatalf("a subscription after the clicks' limit: %d %v, want 201", status, out)
		}
	})
}
