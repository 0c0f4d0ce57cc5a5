package report_test

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// counts is the figures of ActivityCounts compared in tests, revenue as text.
func counts(c report.ActivityCounts) string {
	return fmt.Sprintf("subscribed=%d restocked=%d batches=%d sized=%d everyone=%d notified=%d skipped=%d clicked=%d unsubscribed=%d converted=%d revenue=%v",
		c.Subscribed, c.Restocked, c.Batches, c.BatchSized, c.EveryoneBatches, c.Notified, c.Skipped, c.Clicked, c.Unsubscribed,
		c.Converted, c.Revenue)
}

func TestActivityCountsPerDayInTheShopsTimeZone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		got, err := f.reports.Activity(ctx, f.shop.ID, report.ActivityQuery{Days: days()})
		must(t, err)
		if got.From != "2025-01-10" || got.To != "2025-01-12" || got.TimeZone != "America/New_York" || len(got.Days) != 3 {
			t.Fatalf("report covers %s..%s in %s with %d days", got.From, got.To, got.TimeZone, len(got.Days))
		}
		want := []string{
			"subscribed=4 restocked=0 batches=0 sized=0 everyone=0 notified=0 skipped=0 clicked=0 unsubscribed=0 converted=0 revenue=[]",
			"subscribed=0 restocked=2 batches=2 sized=2 everyone=1 notified=2 skipped=2 clicked=0 unsubscribed=0 converted=0 revenue=[]",
			"subscribed=0 restocked=0 batches=0 sized=0 everyone=0 notified=0 skipped=0 clicked=1 unsubscribed=1 converted=1 revenue=[50.00 EUR]",
		}
		for i, day := range got.Days {
			if day.Day != fmt.Sprintf("2025-01-%d", 10+i) || counts(day.ActivityCounts) != want[i] {
				t.Errorf("day %s: %s\nwant %s", day.Day, counts(day.ActivityCounts), want[i])
			}
		}
		total := "subscribed=4 restocked=2 batches=2 sized=2 everyone=1 notified=2 skipped=2 clicked=1 unsubscribed=1 converted=1 revenue=[50.00 EUR]"
		if counts(got.Totals) != total {
			t.Errorf("totals %s\nwant   %s", counts(got.Totals), total)
		}
		skips := []report.SkipCount{{Reason: "below_minimum", Count: 1}, {Reason: "waiting_period", Count: 1}}
		if !reflect.DeepEqual(got.Skips, skips) {
			t.Errorf("skips = %+v, want %+v", got.Skips, skips)
		}
	})
}

// conversionFigures is a conversion report's figures as text.
func conversionFigures(r *report.ConversionReport) string {
	return fmt.Sprintf("notified=%d converted=%d conversions=%d units=%d revenue=%v variants=%d",
		r.Notified, r.Converted, r.Conversions, r.Quantity, r.Revenue, len(r.Variants))
}

// TestActivityFilters: a filter narrows the activity and the conversions
// alike (for conversions, the channel is that of the alert: ada's email
// earned her order, sam's text earned none).
func TestActivityFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cases := []struct {
			name        string
			query       report.ActivityQuery
			want        string
			conversions string
		}{
			{"mug", report.ActivityQuery{VariantID: f.mug.ID},
				"subscribed=1 restocked=1 batches=1 sized=0 everyone=1 notified=0 skipped=1 clicked=0 unsubscribed=0 converted=0 revenue=[]",
				"notified=0 converted=0 conversions=0 units=0 revenue=[] variants=0"},
			{"shirt product", report.ActivityQuery{ProductID: f.shirt.ProductID},
				"subscribed=3 restocked=1 batches=1 sized=2 everyone=0 notified=2 skipped=1 clicked=1 unsubscribed=1 converted=1 revenue=[50.00 EUR]",
				"notified=2 converted=1 conversions=1 units=2 revenue=[50.00 EUR] variants=1"},
			{"sms", report.ActivityQuery{Channel: stockbell.ChannelSMS},
				"subscribed=1 restocked=2 batches=2 sized=2 everyone=1 notified=1 skipped=2 clicked=0 unsubscribed=0 converted=0 revenue=[]",
				"notified=1 converted=0 conversions=0 units=0 revenue=[] variants=0"},
			{"email", report.ActivityQuery{Channel: stockbell.ChannelEmail},
				"subscribed=3 restocked=2 batches=2 sized=2 everyone=1 notified=1 skipped=2 clicked=1 unsubscribed=1 converted=1 revenue=[50.00 EUR]",
				"notified=1 converted=1 conversions=1 units=2 revenue=[50.00 EUR] variants=1"},
			{"shirt by sms", report.ActivityQuery{VariantID: f.shirt.ID, Channel: stockbell.ChannelSMS},
				"subscribed=1 restocked=1 batches=1 sized=2 everyone=0 notified=1 skipped=1 clicked=0 unsubscribed=0 converted=0 revenue=[]",
				"notified=1 converted=0 conversions=0 units=0 revenue=[] variants=0"},
		}
		for _, c := range cases {
			c.query.Days = days()
			got, err := f.reports.Activity(ctx, f.shop.ID, c.query)
			must(t, err)
			if counts(got.Totals) != c.want {
				t.Errorf("%s: %s\nwant %s", c.name, counts(got.Totals), c.want)
			}
			conversions, err := f.reports.Conversions(ctx, f.shop.ID, c.query)
			must(t, err)
			if conversionFigures(conversions) != c.conversions {
				t.Errorf("%s: conversions %s\nwant %s", c.name, conversionFigures(conversions), c.conversions)
			}
		}
		// The whole range, by default the last 30 days up to the clock's
		// today (20 January), also holds eve's and dan's subscriptions.
		got, err := f.reports.Activity(ctx, f.shop.ID, report.ActivityQuery{})
		must(t, err)
		if got.From != "2024-12-22" || got.To != "2025-01-20" || got.Totals.Subscribed != 6 {
			t.Errorf("default range %s..%s subscribed %d, want 2024-12-22..2025-01-20 and 6", got.From, got.To, got.Totals.Subscribed)
		}
	})
}

func TestActivityRefusesBadRanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, clock := newShop(t, db, "ranges.myshopify.com")
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
		d := days()
		d.From, d.To = d.To, d.From
		_, err := reports.Activity(ctx, shop.ID, report.ActivityQuery{Days: d})
		if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != "to" {
			t.Fatalf("reversed range: %v", err)
		}
		d = report.Days{From: d.To, To: d.To.AddDate(2, 0, 0)}
		if _, err = reports.Activity(ctx, shop.ID, report.ActivityQuery{Days: d}); stockbell.ErrorField(err) != "from" {
			t.Fatalf("two-year range: %v", err)
		}
	})
}

// moreQueued queues fay, gus and hal for the shirt: gus and hal subscribed
// at the same instant (the queue then goes by id).
func (f *fixture) moreQueued(t *testing.T) (fay, gus, hal int64) {
	fay = subscribe(t, f.db, f.shop.ID, f.shirt.ID, "fay@example.com", "", "email", stockbell.SubscriptionQueued, local(14, 8, 0), false)
	gus = subscribe(t, f.db, f.shop.ID, f.shirt.ID, "gus@example.com", "", "email", stockbell.SubscriptionQueued, local(15, 8, 0), false)
	hal = subscribe(t, f.db, f.shop.ID, f.shirt.ID, "hal@example.com", "+15555550101", "email,sms", stockbell.SubscriptionQueued, local(15, 8, 0), false)
	return fay, gus, hal
}

// demandFigures is a demand row's figures as text.
func demandFigures(r report.DemandRow) string {
	return fmt.Sprintf("%s queued=%d notified=%d converted=%d units=%.2f price=%s revenue=%s known=%t",
		r.Variant.PlatformID, r.Queued, r.Notified, r.Converted, r.ExpectedUnits, r.Price, r.ExpectedRevenue, r.PriceKnown)
}

func TestProductsInDemandWithReorderAdvice(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.moreQueued(t)
		got, err := f.reports.ProductsInDemand(ctx, f.shop.ID, 0, 50)
		must(t, err)
		rate := report.ConversionRate{Rate: report.DefaultConversionRate, Notified: 2, Converted: 1, OrdersCounted: true}
		if got.Total != 3 || got.Rate != rate {
			t.Fatalf("total %d rate %+v, want 3 and %+v (two notified: not history enough)", got.Total, got.Rate, rate)
		}
		want := []string{
			"s-1 queued=3 notified=2 converted=1 units=0.30 price=25.00 revenue=7.50 known=true",
			"m-1 queued=2 notified=0 converted=0 units=0.20 price=12.50 revenue=2.50 known=true",
			"s-2 queued=1 notified=0 converted=0 units=0.10 price=30.00 revenue=3.00 known=true",
		}
		for i, row := range got.Rows {
			if demandFigures(row) != want[i] {
				t.Errorf("row %d: %s\nwant   %s", i, demandFigures(row), want[i])
			}
		}
		if got.Rows[0].Variant.Stock != 0 || got.Rows[0].LastRestockAt != nil {
			t.Errorf("shirt stock %d, last restock %v", got.Rows[0].Variant.Stock, got.Rows[0].LastRestockAt)
		}
	})
}

func TestReorderAdviceUsesTheShopsRateOnceItHasHistory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.moreQueued(t)
		for i := range report.MinNotifiedForRate - 2 {
			sub := subscribe(t, db, f.shop.ID, f.large.ID, fmt.Sprintf("n%d@example.com", i), "", "email", stockbell.SubscriptionNotified, local(15, 9, 0), false)
			notify(t, db, f.shop.ID, f.large.ID, sub, stockbell.ChannelEmail, local(15, 10, 0))
		}
		got, err := f.reports.ProductsInDemand(ctx, f.shop.ID, 0, 1)
		must(t, err)
		rate := report.ConversionRate{Rate: 0.05, Notified: 20, Converted: 1, FromHistory: true, OrdersCounted: true}
		if got.Rate != rate || len(got.Rows) != 1 {
			t.Fatalf("rate %+v (%d rows), want %+v", got.Rate, len(got.Rows), rate)
		}
		if s := demandFigures(got.Rows[0]); s != "s-1 queued=3 notified=2 converted=1 units=0.15 price=25.00 revenue=3.75 known=true" {
			t.Fatalf("shirt: %s", s)
		}
		// 91 days later the history has aged out: the default again.
		f.clock.Add(91 * 24 * time.Hour)
		rate, err = f.reports.ConversionRate(ctx, f.shop.ID)
		must(t, err)
		if rate != (report.ConversionRate{Rate: report.DefaultConversionRate, OrdersCounted: true}) {
			t.Fatalf("rate after 91 days = %+v", rate)
		}
	})
}

func TestConversionReport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		got, err := f.reports.Conversions(ctx, f.shop.ID, report.ActivityQuery{Days: days()})
		must(t, err)
		revenue, _ := stockbell.ParseAmount("50.00")
		variants := []stockbell.ConversionTotal{{VariantID: f.shirt.ID, Product: "Shirt", Variant: "M", SKU: "SKU-s-1", Currency: "EUR",
			Conversions: 1, Quantity: 2, Revenue: revenue}}
		// ada's order counts once although delivered twice; bob was never
		// notified; sam bought outside the window.
		if got.Notified != 2 || got.Converted != 1 || got.Conversions != 1 || got.Quantity != 2 ||
			!reflect.DeepEqual(got.Revenue, stockbell.MoneyTotals{{Currency: "EUR", Amount: revenue}}) || !reflect.DeepEqual(got.Variants, variants) {
			t.Fatalf("conversions = %+v", got)
		}
		later := report.Days{From: time.Date(2025, 1, 13, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC)}
		got, err = f.reports.Conversions(ctx, f.shop.ID, report.ActivityQuery{Days: later})
		must(t, err)
		if got.Conversions != 0 || got.Notified != 0 || len(got.Variants) != 0 || len(got.Revenue) != 0 {
			t.Fatalf("13-20 January (sam's late order) = %+v", got)
		}
	})
}

// TestConvertedCountsOnTheAlertsChannel: a shopper waiting by email and
// text, alerted by text, buys: with a channel filter the conversion counts
// on the text's channel, as the alert did, and the export says so.
func TestConvertedCountsOnTheAlertsChannel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, clock := newShop(t, db, "channels.myshopify.com")
		addProduct(t, db, shop.ID, "p-mug", "Mug", map[string]string{"m-1": "12.50"}, nil)
		mug := findVariant(t, db, shop.ID, "m-1")
		both := subscribe(t, db, shop.ID, mug.ID, "liz@example.com", "+15555550123", "email,sms", stockbell.SubscriptionNotified, local(2, 9, 0), false)
		notify(t, db, shop.ID, mug.ID, both, stockbell.ChannelSMS, local(3, 9, 0))
		clock.Add(local(3, 12, 0).Sub(clock.Now()))
		price, _ := stockbell.ParseAmount("12.50")
		must(t, db.RecordOrder(ctx, stockbell.Order{ShopID: shop.ID, PlatformID: "2001", Email: "liz@example.com", Currency: "EUR",
			CreatedAt: local(3, 11, 0), Total: price, Lines: []stockbell.OrderLine{{VariantPlatformID: "m-1", Quantity: 1, Price: price}}}))
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
		third := report.Days{From: time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC)}
		for channel, want := range map[stockbell.Channel]int{stockbell.ChannelSMS: 1, stockbell.ChannelEmail: 0} {
			got, err := reports.Activity(ctx, shop.ID, report.ActivityQuery{Days: third, Channel: channel})
			must(t, err)
			if got.Totals.Notified != want || got.Totals.Converted != want {
				t.Errorf("%s: notified %d converted %d, want %d and %d", channel, got.Totals.Notified, got.Totals.Converted, want, want)
			}
		}
		var buf bytes.Buffer
		must(t, reports.WriteActivityCSV(ctx, &buf, shop.ID, report.ActivityQuery{Days: third}, report.CSVOptions{}))
		rows := readCSV(t, buf.String(), false)
		if len(rows) != 3 || rows[2][2] != "converted" || rows[2][10] != "sms" {
			t.Fatalf("export %q, want the conversion on the text's channel", rows)
		}
	})
}

// A feed writes its prices with their code ("15.00 USD"): the advice reads
// them, and each row's revenue is in the currency its own price states
// (none stated: the shop's, ""), never converted or added to another's.
func TestReorderAdviceReadsPricesWithTheirCurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, clock := newShop(t, db, "feed-prices.myshopify.com")
		addProduct(t, db, shop.ID, "p-cap", "Cap", map[string]string{"c-usd": "15.00 USD", "c-eur": "20.00 EUR", "c-plain": "8.00"}, nil)
		for i, id := range []string{"c-usd", "c-eur", "c-eur", "c-plain"} {
			v := findVariant(t, db, shop.ID, id)
			subscribe(t, db, shop.ID, v.ID, fmt.Sprintf("w%d@example.com", i), "", "email", stockbell.SubscriptionQueued, local(10, 10, i), false)
		}
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
		got, err := reports.ProductsInDemand(ctx, shop.ID, 0, 50)
		must(t, err)
		figures := map[string]string{}
		for _, r := range got.Rows {
			figures[r.Variant.PlatformID] = fmt.Sprintf("price=%s revenue=%s currency=%q known=%t", r.Price, r.ExpectedRevenue, r.Currency, r.PriceKnown)
		}
		want := map[string]string{
			"c-usd":   `price=15.00 revenue=1.50 currency="USD" known=true`,
			"c-eur":   `price=20.00 revenue=4.00 currency="EUR" known=true`,
			"c-plain": `price=8.00 revenue=0.80 currency="" known=true`,
		}
		if !reflect.DeepEqual(figures, want) {
			t.Errorf("rows:\n%v\nwant\n%v", figures, want)
		}
	})
}

// TestReorderAdviceKeepsTheDefaultRateWhereNoOrdersArrive: Magento sends
// Stockbell no orders, so none of its notified shoppers ever counts as
// having bought: past MinNotifiedForRate its "own rate" would be 0% and
// every restock expected to sell nothing. Its advice keeps the default
// rate and says its orders are not counted, however many were notified;
// the Shopify shop beside it, whose orders arrive, has its own rate.
func TestReorderAdviceKeepsTheDefaultRateWhereNoOrdersArrive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		magento, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformMagento, Domain: "magento.example.com",
			Name: "magento.example.com", Seal: func(int64) ([]byte, error) { return []byte("sealed"), nil }})
		must(t, err)
		addProduct(t, db, magento.ID, "10", "Tee", map[string]string{"TEE-S": "19.90"}, nil)
		tee := findVariant(t, db, magento.ID, "TEE-S")
		for i := range report.MinNotifiedForRate + 5 {
			sub := subscribe(t, db, magento.ID, tee.ID, fmt.Sprintf("m%d@example.com", i), "", "email", stockbell.SubscriptionNotified, local(15, 9, 0), false)
			notify(t, db, magento.ID, tee.ID, sub, stockbell.ChannelEmail, local(15, 10, 0))
			sub = subscribe(t, db, f.shop.ID, f.large.ID, fmt.Sprintf("s%d@example.com", i), "", "email", stockbell.SubscriptionNotified, local(15, 9, 0), false)
			notify(t, db, f.shop.ID, f.large.ID, sub, stockbell.ChannelEmail, local(15, 10, 0))
		}
		subscribe(t, db, magento.ID, tee.ID, "waiting@example.com", "", "email", stockbell.SubscriptionQueued, local(15, 11, 0), false)

		got, err := f.reports.ProductsInDemand(ctx, magento.ID, 0, 10)
		must(t, err)
		want := report.ConversionRate{Rate: report.DefaultConversionRate, Notified: report.MinNotifiedForRate + 5}
		if got.Rate != want || len(got.Rows) != 1 || got.Rows[0].ExpectedUnits != report.DefaultConversionRate {
			t.Fatalf("Magento: rate %+v, rows %+v; want %+v and one row expecting %.1f unit", got.Rate, got.Rows, want, report.DefaultConversionRate)
		}
		rate, err := f.reports.ConversionRate(ctx, f.shop.ID)
		must(t, err)
		want = report.ConversionRate{Rate: 1.0 / 27, Notified: 27, Converted: 1, FromHistory: true, OrdersCounted: true}
		if rate != want {
			t.Fatalf("Shopify beside it: rate %+v, want %+v", rate, want)
		}
	})
}

// TestReorderAdviceOfAShopifyShopWithoutOrders: a Shopify shop that did
// not grant read_orders never sends an order (Stockbell does not subscribe
// it to orders/create), so, as a platform that sends none, its advice keeps
// the default rate past MinNotifiedForRate and says its orders are not
// counted; one that granted write_orders (which covers read_orders) is
// counted.
func TestReorderAdviceOfAShopifyShopWithoutOrders(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, c := range []struct {
			domain, scopes string
			counted        bool
		}{
			{"no-orders.myshopify.com", "read_products,read_inventory", false},
			{"write-orders.myshopify.com", "read_products,read_inventory,write_orders", true},
		} {
			shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: c.domain, Name: c.domain,
				Seal: func(int64) ([]byte, error) { return []byte("sealed"), nil }, Scopes: c.scopes})
			must(t, err)
			addProduct(t, db, shop.ID, "10", "Tee", map[string]string{"TEE-S": "19.90"}, nil)
			tee := findVariant(t, db, shop.ID, "TEE-S")
			for i := range report.MinNotifiedForRate {
				sub := subscribe(t, db, shop.ID, tee.ID, fmt.Sprintf("n%d@example.com", i), "", "email", stockbell.SubscriptionNotified, local(15, 9, 0), false)
				notify(t, db, shop.ID, tee.ID, sub, stockbell.ChannelEmail, local(15, 10, 0))
			}
			rate, err := f.reports.ConversionRate(ctx, shop.ID)
			must(t, err)
			want := report.ConversionRate{Rate: report.DefaultConversionRate, Notified: report.MinNotifiedForRate}
			if c.counted {
				want = report.ConversionRate{Rate: 0, Notified: report.MinNotifiedForRate, FromHistory: true, OrdersCounted: true}
			}
			if rate != want {
				t.Errorf("%s (%s): rate %+v, want %+v", c.domain, c.scopes, rate, want)
			}
		}
	})
}
