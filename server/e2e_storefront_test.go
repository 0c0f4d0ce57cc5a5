package main

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

const (
	teeInStock = "44000000000111"
	teeSoldOut = "44000000000222"
)

type pageVariant struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Available bool   `json:"available"`
	Price     int    `json:"price"`
}

var teeVariants = []pageVariant{{44000000000111, "S", true, 1900}, {44000000000222, "M", false, 1900}}

var dawnPage = template.Must(template.ParseFiles("../snippet/testdata/dawn-product.html"))

// dawnShop serves a Dawn-like product page that loads the snippet from the
// real server at appURL, and the product JSON Shopify themes expose.
func dawnShop(t *testing.T, appURL string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/products/tee.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": 1, "handle": "tee", "title": "Tee", "available": true, "variants": teeVariants})
	})
	mux.HandleFunc("/products/tee", func(w http.ResponseWriter, r *http.Request) {
		js, _ := json.Marshal(teeVariants)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err := dawnPage.Execute(w, map[string]any{"App": appURL, "Attrs": template.HTMLAttr(""), "Title": "Tee",
			"Variants": teeVariants, "VariantsJSON": template.JS(js), "Root": "/"})
		if err != nil {
			t.Error(err)
		}
	})
	shop := httptest.NewServer(mux)
	t.Cleanup(shop.Close)
	return shop
}

// seedTee installs the test shop and its tee: S in stock, M sold out.
func seedTee(t *testing.T, m *Main) *stockbell.Shop {
	t.Helper()
	ctx := context.Background()
	shop, err := m.DB.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "test-shop.myshopify.com"})
	if err != nil {
		t.Fatal(err)
	}
	stockTee(t, m, shop, 0)
	return shop
}

// stockTee writes the tee to the catalog: S in stock, and medium units of M.
func stockTee(t *testing.T, m *Main, shop *stockbell.Shop, medium int) {
	t.Helper()
	_, err := m.DB.UpsertProduct(context.Background(), stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "1", Title: "Tee", Handle: "tee", Published: true,
		Variants: []stockbell.VariantUpsert{
			{PlatformID: teeInStock, Title: "S", Tracked: true, InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 3}}},
			{PlatformID: teeSoldOut, Title: "M", Tracked: true, InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "1", Available: medium}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
}

func queuedEmails(t *testing.T, m *Main, shop *stockbell.Shop) []string {
	t.Helper()
	queued := stockbell.SubscriptionQueued
	subs, _, err := m.DB.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &shop.ID, Status: &queued})
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, s := range subs {
		emails = append(emails, s.Email)
	}
	return emails
}

// TestShopperSubscribesInChromium drives the real snippet from the real
// server in headless Chromium, with the mouse and then with the keyboard
// only, and finds both subscriptions in the database.
func TestShopperSubscribesInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	shop := seedTee(t, m)
	page := dawnShop(t, m.URL()).URL + "/products/tee"
	ctx := browsertest.New(t)

	browsertest.Open(t, ctx, page)
	if browsertest.Eval[bool](t, ctx, `shown(button())`) {
		t.Fatal("the button shows on the in-stock variant")
	}
	browsertest.Eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("Option-1"); s.value = "`+teeSoldOut+`";
		s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	browsertest.WaitFor(t, ctx, `shown(button())`)
	browsertest.Click(t, ctx, `button()`)
	browsertest.WaitFor(t, ctx, `dialog() && dialog().open`)
	browsertest.Do(t, ctx, chromedp.KeyEvent("Mouse.Shopper@Example.com"))
	browsertest.Screenshot(t, ctx, "e2e-form-open")
	browsertest.Click(t, ctx, `form().querySelector("button[type=submit]")`)
	browsertest.WaitFor(t, ctx, `events("subscribed").length == 1`)
	if got := browsertest.Eval[string](t, ctx, `status().textContent`); !strings.Contains(got, "email you when it's back") {
		t.Errorf("success state %q", got)
	}
	if got := queuedEmails(t, m, shop); len(got) != 1 || got[0] != "mouse.shopper@example.com" {
		t.Fatalf("queued after the mouse run: %v", got)
	}

	browsertest.Open(t, ctx, page)
	browsertest.TabTo(t, ctx, "options[Size]")
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
	browsertest.WaitFor(t, ctx, `shown(button())`)
	browsertest.TabTo(t, ctx, "b")
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Enter))
	browsertest.WaitFor(t, ctx, `dialog() && dialog().open`)
	browsertest.Do(t, ctx, chromedp.KeyEvent("keys@example.com"))
	browsertest.TabTo(t, ctx, "s")
	browsertest.Do(t, ctx, chromedp.KeyEvent(kb.Enter))
	browsertest.WaitFor(t, ctx, `events("subscribed").length == 1`)
	if got := queuedEmails(t, m, shop); len(got) != 2 || got[1] != "keys@example.com" {
		t.Fatalf("queued after the keyboard run: %v", got)
	}
}
