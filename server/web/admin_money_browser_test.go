package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestMerchantPagesWriteMoneyAsMerchantsReadIt: a EUR shop's recovered
// revenue reads "€1,234.50" and a JPY shop's "¥1,500" (no decimals) in
// headless Chromium, on the Reports page (the sentence and the product's
// row) and in the buyer's timeline; the daily report email of the same
// day writes the Reports page's figure character for character, in its
// text and its HTML. Neither shop sees the other's revenue.
func TestMerchantPagesWriteMoneyAsMerchantsReadIt(t *testing.T) {
	ctx := browsertest.New(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopOn(t, f, stockbell.PlatformShopify, "ann@example.com")
		otherVariant, err := db.FindVariant(context.Background(), w.other.ID, "v-m")
		if err != nil {
			t.Fatal(err)
		}
		shops := []struct {
			shop     *stockbell.Shop
			variant  *stockbell.VariantWithProduct
			sub      *stockbell.Subscription
			currency string
			price    string
			want     string
			foreign  string // the other shop's revenue
		}{
			{w.shop, w.variant, w.subs[0], "EUR", "1234.5", "€1,234.50", "¥1,500"},
			{w.other, otherVariant, w.otherSub, "JPY", "1500", "¥1,500", "€1,234.50"},
		}
		for _, s := range shops {
			buyAfterAlert(t, f, s.shop, s.variant, s.sub, s.currency, s.price)
		}
		for _, s := range shops {
			signInChromium(t, ctx, f, s.shop)
			today := f.clock.Now().UTC().Format(time.DateOnly)
			browsertest.Do(t, ctx, chromedp.Navigate(f.url+"/admin/reports?from="+today+"&to="+today))
			waitForNewPage(t, ctx, `!!document.querySelector("#conversions-heading")`)
			figure := browsertest.Eval[string](t, ctx, `document.querySelector("#conversions-heading ~ p strong").textContent`)
			row := browsertest.Eval[string](t, ctx, `document.querySelector("#conversions-heading ~ .table-wrap tbody td:last-child").textContent`)
			section := browsertest.Eval[string](t, ctx, `document.querySelector("#conversions-heading").parentElement.innerText`)
			if figure != s.want || row != s.want || strings.Contains(section, s.foreign) {
				t.Errorf("%s's Reports page writes its revenue %q, its product's %q, want %q:\n%s", s.currency, figure, row, s.want, section)
			}
			browsertest.Do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/admin/subscribers/%d", f.url, s.sub.ID)))
			waitForNewPage(t, ctx, `document.readyState == "complete" && !!document.querySelector("main")`)
			if timeline := browsertest.Eval[string](t, ctx, `document.querySelector("main").innerText`); !strings.Contains(timeline, "1 unit for "+s.want+",") {
				t.Errorf("%s's buyer's timeline lacks %q:\n%s", s.currency, "1 unit for "+s.want, timeline)
			}
			text, html := dailyReportEmail(t, f, s.shop, today)
			if line := fmt.Sprintf("  %-18s %s\n", "Recovered revenue", figure); !strings.Contains(text, line) {
				t.Errorf("%s's report email's text lacks the Reports page's %q:\n%s", s.currency, line, text)
			}
			if cell := ">" + figure + "</td>"; !strings.Contains(html, cell) {
				t.Errorf("%s's report email's HTML lacks the Reports page's %q:\n%s", s.currency, cell, html)
			}
		}
	})
}

// buyAfterAlert notifies sub (a batch of one, its alert sent) and records an order of one
// unit of variant at price in currency, the shop's currency too.
func buyAfterAlert(t *testing.T, f *adminFixture, shop *stockbell.Shop, variant *stockbell.VariantWithProduct, sub *stockbell.Subscription, currency, price string) {
	t.Helper()
	ctx := context.Background()
	if err := f.db.UpdateShopDetails(ctx, shop.ID, stockbell.ShopDetails{Currency: currency}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: variant.PlatformID, Available: 1, At: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	batch, err := f.db.StartBatch(ctx, stockbell.BatchStart{ShopID: shop.ID, VariantID: variant.ID, Size: 1, Stock: 1, PerUnit: 1, Wait: time.Hour, Cutoff: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: shop.ID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
		t.Fatal(err)
	}
	messages, _, err := f.db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &shop.ID, SubscriptionID: &sub.ID})
	if err != nil || len(messages) != 1 {
		t.Fatalf("the alert of %s: %v, %v", sub.Email, messages, err)
	}
	if _, err := f.db.FinishMessage(ctx, stockbell.MessageResult{ShopID: shop.ID, MessageID: messages[0].ID, Status: stockbell.MessageSent}); err != nil {
		t.Fatal(err)
	}
	amount, err := stockbell.ParseAmount(price)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Minute)
	if err := f.db.RecordOrder(ctx, stockbell.Order{ShopID: shop.ID, PlatformID: "order-" + currency, Email: sub.Email, Currency: currency,
		Total: amount, CreatedAt: f.clock.Now(), Lines: []stockbell.OrderLine{{VariantPlatformID: variant.PlatformID, Quantity: 1, Price: amount}}}); err != nil {
		t.Fatal(err)
	}
}

// signInChromium signs the browser in to shop's admin with a one-time link.
func signInChromium(t *testing.T, ctx context.Context, f *adminFixture, shop *stockbell.Shop) {
	t.Helper()
	token, _, err := f.db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID, Email: "owner@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, ctx, chromedp.Navigate(f.url+web.SignInPath+"?token="+url.QueryEscape(token)))
	waitForNewPage(t, ctx, `!!document.querySelector("main form button")`)
	browsertest.Click(t, ctx, `document.querySelector("main form button")`)
	waitForNewPage(t, ctx, `location.pathname == "/admin"`)
}

// dailyReportEmail composes the daily activity report email of day for
// shop, as a scheduled report sends it, and returns its text and HTML.
func dailyReportEmail(t *testing.T, f *adminFixture, shop *stockbell.Shop, day string) (string, string) {
	t.Helper()
	ctx := context.Background()
	sub, err := f.db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: shop.ID, Email: "owner@example.com",
		Report: stockbell.ReportActivity, Frequency: stockbell.ReportDaily, CreatedBy: "owner@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	s := &report.Scheduler{Reports: &report.Reports{Store: f.db, Settings: f.db, Demand: f.db, Shops: f.db, Clock: f.clock}, Schedule: f.db, Shops: f.db,
		Links: testReportLinks, Clock: f.clock}
	out, err := s.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: day, PeriodEnd: day})
	if err != nil {
		t.Fatal(err)
	}
	return out.Text, out.HTML
}
