package web_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

func TestReportsPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com", "cy@example.com")
		b := f.signIn(t, w.shop)
		p := b.get("/admin/reports")
		wantStatus(t, p, http.StatusOK, "reports")
		for _, want := range []string{`<span class="value">3</span><span class="label">subscribed</span>`, `id="report-activity-title"`,
			"Reorder advice", "Wool Sweater – M", `<td class="num" data-label="Expected units">0.3</td>`, "a default rate", `href="/admin/reports/queued-subscribers.csv"`,
			`href="/admin/reports/activity.csv?from=`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("reports page lacks %q", want)
			}
		}
		if strings.Contains(p.Body, "someone@other.example") {
			t.Error("reports page shows shop B's subscriber")
		}
		for query, field := range map[string]string{"from=2025-13-01": "from", "from=2025-03-02&to=2025-03-01": "to", "channel=fax": "channel",
			"variant=x": "variant"} {
			p := b.get("/admin/reports?" + query)
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="`+field+`-error"`) {
				t.Errorf("?%s: %d, want 422 naming %s:\n%.800s", query, p.Status, field, p.Body)
			}
		}
	})
}

// TestReportsSayOneShopperNotified: with one shopper notified, as after
// the demo shop's first restock, the conversions and the reorder advice
// speak of one shopper, not "1 shoppers".
func TestReportsSayOneShopperNotified(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopOn(t, f, stockbell.PlatformShopify, "ann@example.com", "bea@example.com")
		notifyFirst(t, f, w)
		p := f.signIn(t, w.shop).get("/admin/reports")
		wantStatus(t, p, http.StatusOK, "reports")
		text := visibleText(p.Body)
		for _, want := range []string{"Of the 1 shopper notified in these days, 0 bought.", "your shop has notified 1 shopper in the last 90 days"} {
			if !strings.Contains(text, want) {
				t.Errorf("reports page lacks %q:\n%s", want, text)
			}
		}
	})
}

// TestReportsFilterShowsItsChoiceBeyondTheList: the filters list the first
// 200 variants; a report filtered by a later one (or its product) still
// shows that choice selected, not "All variants" over its figures.
func TestReportsFilterShowsItsChoiceBeyondTheList(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		ctx := context.Background()
		many := stockbell.ProductUpsert{ShopID: w.shop.ID, PlatformID: "p-many", Title: "Sock", Published: true}
		for i := range 200 {
			many.Variants = append(many.Variants, stockbell.VariantUpsert{PlatformID: fmt.Sprintf("s-%03d", i), Title: fmt.Sprintf("Size %03d", i)})
		}
		if _, err := db.UpsertProduct(ctx, many); err != nil {
			t.Fatal(err)
		}
		_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: w.shop.ID, PlatformID: "p-late", Title: "Late Scarf", Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: "late-1", Title: "Blue"}}})
		if err != nil {
			t.Fatal(err)
		}
		late, err := db.FindVariant(ctx, w.shop.ID, "late-1")
		if err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, w.shop)
		for query, want := range map[string]string{
			fmt.Sprintf("variant=%d", late.ID):        fmt.Sprintf(`<option value="%d" selected>Late Scarf – Blue</option>`, late.ID),
			fmt.Sprintf("product=%d", late.ProductID): fmt.Sprintf(`<option value="%d" selected>Late Scarf</option>`, late.ProductID),
		} {
			p := b.get("/admin/reports?" + query)
			wantStatus(t, p, http.StatusOK, "reports?"+query)
			if !strings.Contains(p.Body, want) {
				t.Errorf("reports?%s lacks %s", query, want)
			}
		}
	})
}

// notifyFirst restocks one unit of the waiting shop's variant: a batch
// notifies its first subscriber, by email.
func notifyFirst(t *testing.T, f *adminFixture, w *waitingShop) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: w.shop.ID, VariantPlatformID: "v-m", Available: 1, At: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	batch, err := f.db.StartBatch(ctx, stockbell.BatchStart{ShopID: w.shop.ID, VariantID: w.variant.ID, Size: 1, Stock: 1, PerUnit: 1, Wait: time.Hour, Cutoff: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: 1, Limit: 100}); err != nil {
		t.Fatal(err)
	}
}

// TestReportsConversionsFollowTheFilters: the conversions on the Reports
// page are those of the product, variant and channel the page is filtered
// by, as the activity above them is.
func TestReportsConversionsFollowTheFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopOn(t, f, stockbell.PlatformBigCommerce, "ann@example.com", "bea@example.com")
		notifyFirst(t, f, w)
		b := f.signIn(t, w.shop)
		for query, want := range map[string]string{
			"":                                      "Of the 1 shopper notified in these days, 0 bought.",
			"channel=email":                         "Of the 1 shopper notified in these days, 0 bought.",
			"channel=sms":                           "Of the 0 shoppers notified in these days, 0 bought.",
			fmt.Sprintf("variant=%d", w.variant.ID): "Of the 1 shopper notified in these days, 0 bought.",
			fmt.Sprintf("product=%d", w.variant.ProductID+1): "Of the 0 shoppers notified in these days, 0 bought.",
		} {
			p := b.get("/admin/reports?" + query)
			wantStatus(t, p, http.StatusOK, "reports?"+query)
			_, section, _ := strings.Cut(visibleText(p.Body), "Conversions and recovered revenue")
			if !strings.Contains(section, want) {
				t.Errorf("reports?%s lacks %q:\n%.200s", query, want, section)
			}
		}
	})
}

func TestReportExports(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "=bea@example.com", "cy@example.com")
		b := f.signIn(t, w.shop)
		p := b.get("/admin/reports/queued-subscribers.csv?bom=1")
		wantStatus(t, p, http.StatusOK, "queued export")
		if ct := p.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.Contains(p.Header.Get("Content-Disposition"), "stockbell-queued-subscribers-a.example-") {
			t.Fatalf("queued export headers %q %q", ct, p.Header.Get("Content-Disposition"))
		}
		rows := readCSVBody(t, p.Body, true)
		if len(rows) != 4 || rows[0][0] != "product" || rows[1][5] != "ann@example.com" || rows[2][5] != "'=bea@example.com" || rows[3][9] != "3" {
			t.Fatalf("queued export rows %q", rows)
		}
		p = b.get("/admin/reports/activity.csv?channel=email")
		wantStatus(t, p, http.StatusOK, "activity export")
		rows = readCSVBody(t, p.Body, false)
		if len(rows) != 4 || rows[1][2] != "subscribed" || rows[1][9] != "ann@example.com" {
			t.Fatalf("activity export rows %q", rows)
		}
		p = b.get("/admin/reports/activity.csv?from=2025-03-02&to=2025-03-01")
		if p.Status != http.StatusUnprocessableEntity || strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("reversed range: %d %s", p.Status, p.Header.Get("Content-Type"))
		}
	})
}

// activityCutOff is the store with its activity read failing after a
// number of records, as a read whose connection is lost mid-way does.
type activityCutOff struct {
	stockbell.ReportStore
	after int
}

func (s activityCutOff) EachActivity(ctx context.Context, filter stockbell.ActivityFilter, fn func(*stockbell.ActivityRecord) error) error {
	n := 0
	return s.ReportStore.EachActivity(ctx, filter, func(rec *stockbell.ActivityRecord) error {
		if n++; n > s.after {
			return errors.New("connection lost")
		}
		return fn(rec)
	})
}

// addRestocks records n restocks of the shop's variant an hour ago, in
// one statement.
func addRestocks(t *testing.T, f *adminFixture, w *waitingShop, n int) {
	t.Helper()
	_, err := f.db.DB.ExecContext(context.Background(), f.db.DB.Rebind(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO events (shop_id, kind, variant_id, detail, created_at) SELECT ?, 'restocked', ?, '{}', ? FROM n`),
		n, w.shop.ID, w.variant.ID, f.clock.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
}

// TestReportExportCutShortFails: an export whose read fails after rows
// went out is broken off, so the download fails rather than ending as if
// the file were complete.
func TestReportExportCutShortFails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixtureOf(t, db, nil, func(deps *web.AdminDeps) {
			deps.Reports = &report.Reports{Store: activityCutOff{ReportStore: db, after: 1500}, Settings: db, Demand: db, Shops: db, Clock: deps.Clock}
		})
		w := newWaitingShop(t, f)
		addRestocks(t, f, w, 2000)
		b := f.signIn(t, w.shop)
		resp, err := b.client.Get(b.base + "/admin/reports/activity.csv")
		wantBrokenOff(t, resp, err)
	})
}

// wantBrokenOff fails unless the download of resp (got with err) fails
// part way, as a response broken off does.
func wantBrokenOff(t *testing.T, resp *http.Response, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Fatalf("the export was cut short after %d rows, yet it downloaded as complete (status %d)", strings.Count(string(body), "\n")-1, resp.StatusCode)
	}
}

func readCSVBody(t *testing.T, body string, bom bool) [][]string {
	t.Helper()
	if strings.HasPrefix(body, report.BOM) != bom {
		t.Fatalf("BOM at the start: %t, want %t", !bom, bom)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, report.BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestScheduledReportsPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		page := b.get("/admin/reports/scheduled")
		wantStatus(t, page, http.StatusOK, "scheduled reports")
		form := url.Values{"email": {"boss@example.com"}, "report": {"activity"}, "frequency": {"weekly"}}
		wantStatus(t, b.post("/admin/reports/scheduled", form), http.StatusForbidden, "a post without the CSRF token")
		form.Set("csrf_token", page.csrf(t))
		bad := url.Values{"email": {"not an address"}, "report": {"activity"}, "frequency": {"weekly"}, "csrf_token": {page.csrf(t)}}
		refused := b.post("/admin/reports/scheduled", bad)
		if refused.Status != http.StatusUnprocessableEntity || !strings.Contains(refused.Body, `id="email-error"`) || !strings.Contains(refused.Body, `value="not an address"`) {
			t.Fatalf("bad address: %d\n%.1500s", refused.Status, refused.Body)
		}
		bad.Set("email", "boss@example.com")
		bad.Set("frequency", "hourly")
		if p := b.post("/admin/reports/scheduled", bad); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="frequency-error"`) {
			t.Fatalf("bad frequency: %d", p.Status)
		}
		subs, err := db.FindReportSubscriptions(context.Background(), w.shop.ID)
		if err != nil || len(subs) != 0 {
			t.Fatalf("refused posts stored %v (%v)", subs, err)
		}
		p := b.post("/admin/reports/scheduled", form)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/admin/reports/scheduled?notice=report_scheduled" {
			t.Fatalf("schedule: %d %s", p.Status, p.Header.Get("Location"))
		}
		listed := b.get("/admin/reports/scheduled")
		if !strings.Contains(listed.Body, "boss@example.com") || !strings.Contains(listed.Body, "Weekly (Monday to Sunday)") || !strings.Contains(listed.Body, "owner@example.com") {
			t.Fatalf("scheduled report not listed:\n%.3000s", listed.Body)
		}
		subs, _ = db.FindReportSubscriptions(context.Background(), w.shop.ID)
		other, err := db.CreateReportSubscription(context.Background(), stockbell.ReportSubscriptionCreate{ShopID: w.other.ID, Email: "x@other.example",
			Report: stockbell.ReportActivity, Frequency: stockbell.ReportDaily})
		if err != nil {
			t.Fatal(err)
		}
		csrf := url.Values{"csrf_token": {listed.csrf(t)}}
		wantStatus(t, b.post(fmt.Sprintf("/admin/reports/scheduled/%d/remove", other.ID), csrf), http.StatusNotFound, "shop B's scheduled report")
		wantStatus(t, b.post(fmt.Sprintf("/admin/reports/scheduled/%d/remove", subs[0].ID), csrf), http.StatusSeeOther, "remove")
		if left, _ := db.FindReportSubscriptions(context.Background(), w.shop.ID); len(left) != 0 {
			t.Fatalf("still scheduled: %v", left)
		}
		if left, _ := db.FindReportSubscriptions(context.Background(), w.other.ID); len(left) != 1 {
			t.Fatalf("shop B's report was touched: %v", left)
		}
	})
}

// TestScheduledReportsAddedInShopTime: the day a scheduled report was
// added is the day in the shop's time zone, as the page's periods are.
func TestScheduledReportsAddedInShopTime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		ctx := context.Background()
		zone := "Pacific/Auckland" // UTC+12 or +13: at 23:30 UTC, the next day already
		if _, err := db.UpdateSettings(ctx, w.shop.ID, stockbell.SettingsUpdate{TimeZone: &zone}); err != nil {
			t.Fatal(err)
		}
		now := f.clock.Now()
		f.clock.Add(now.Truncate(24 * time.Hour).Add(23*time.Hour + 30*time.Minute).Sub(now))
		if _, err := db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: w.shop.ID, Email: "boss@example.com",
			Report: stockbell.ReportActivity, Frequency: stockbell.ReportDaily}); err != nil {
			t.Fatal(err)
		}
		auckland, _ := time.LoadLocation(zone)
		local, utc := f.clock.Now().In(auckland).Format("2 Jan 2006"), f.clock.Now().UTC().Format("2 Jan 2006")
		p := f.signIn(t, w.shop).get("/admin/reports/scheduled")
		wantStatus(t, p, http.StatusOK, "scheduled reports")
		if !strings.Contains(p.Body, local) || strings.Contains(p.Body, utc) {
			t.Fatalf("a report added on %s in %s (%s in UTC) is listed as added:\n%.3000s", local, zone, utc, p.Body)
		}
	})
}

func TestReportUnsubscribeLink(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "a.example")
		ctx := context.Background()
		sub, err := db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: shop.ID, Email: "boss@example.com",
			Report: stockbell.ReportQueuedSubscribers, Frequency: stockbell.ReportMonthly})
		if err != nil {
			t.Fatal(err)
		}
		kept, _ := db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: shop.ID, Email: "boss@example.com",
			Report: stockbell.ReportActivity, Frequency: stockbell.ReportMonthly})
		path := strings.TrimPrefix(testReportLinks.UnsubscribeURL(sub), "http://localhost")
		anyone := f.browser(t)
		p := anyone.get(path)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Stop emailing the monthly Waiting list report to <strong>boss@example.com</strong>") {
			t.Fatalf("unsubscribe page: %d\n%.1500s", p.Status, p.Body)
		}
		if left, _ := db.FindReportSubscriptions(ctx, shop.ID); len(left) != 2 {
			t.Fatalf("opening the link removed something: %v", left)
		}
		wantStatus(t, anyone.get(path+"x"), http.StatusNotFound, "a forged link")
		p = anyone.post(path, url.Values{"List-Unsubscribe": {"One-Click"}})
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "no longer receives this report") {
			t.Fatalf("one-click: %d\n%.800s", p.Status, p.Body)
		}
		left, _ := db.FindReportSubscriptions(ctx, shop.ID)
		if len(left) != 1 || left[0].ID != kept.ID {
			t.Fatalf("after unsubscribing: %v, want only the activity report", left)
		}
		if p := anyone.post(path, nil); p.Status != http.StatusOK {
			t.Fatalf("second click: %d", p.Status)
		}
	})
}

// TestReportsRefuseAVariantOfAnotherProduct: filtering by a product and a
// variant of another product, which would count nothing, is refused
// beside the variant's field naming both, with the choices kept.
func TestReportsRefuseAVariantOfAnotherProduct(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f)
		ctx := context.Background()
		if _, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: w.shop.ID, PlatformID: "p-tote", Title: "Canvas Tote", Published: true,
			Variants: []stockbell.VariantUpsert{{PlatformID: "tote", Title: "Default Title"}}}); err != nil {
			t.Fatal(err)
		}
		tote, err := db.FindVariant(ctx, w.shop.ID, "tote")
		if err != nil {
			t.Fatal(err)
		}
		p := f.signIn(t, w.shop).get(fmt.Sprintf("/admin/reports?product=%d&variant=%d", tote.ProductID, w.variant.ID))
		wantStatus(t, p, http.StatusUnprocessableEntity, "a variant of another product")
		refusal := regexp.MustCompile(`<p class="field-error" id="variant-error"[^>]*>([^<]*)</p>`).FindStringSubmatch(p.Body)
		if want := "Wool Sweater – M is not a variant of Canvas Tote"; refusal == nil || !strings.Contains(refusal[1], want) {
			t.Errorf("the refusal beside the variant: %q, want it to say %q\n%s", refusal, want, regexp.MustCompile(`(?s)<form.*?</form>`).FindString(p.Body))
		}
		for _, kept := range []string{fmt.Sprintf(`<option value="%d" selected>Canvas Tote</option>`, tote.ProductID),
			fmt.Sprintf(`<option value="%d" selected>Wool Sweater – M</option>`, w.variant.ID)} {
			if !strings.Contains(p.Body, kept) {
				t.Errorf("the refused filter does not keep %s", kept)
			}
		}
	})
}

// TestReportsRefuseAVariantThatIsNotTheShops: a variant id that names no
// variant, and one that names another shop's, are refused beside the
// variant filter in the same words (which shop has it is not told), with
// no figures shown.
func TestReportsRefuseAVariantThatIsNotTheShops(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		others, err := db.FindVariant(context.Background(), w.other.ID, "v-m")
		if err != nil {
			t.Fatal(err)
		}
		b := f.signIn(t, w.shop)
		refusals := map[string]string{}
		for what, id := range map[string]int64{"missing": others.ID + 1000, "another shop's": others.ID} {
			p := b.get(fmt.Sprintf("/admin/reports?variant=%d", id))
			wantStatus(t, p, http.StatusUnprocessableEntity, "the reports filtered by a "+what+" variant")
			refusal := regexp.MustCompile(`<p class="field-error" id="variant-error"[^>]*>([^<]*)</p>`).FindStringSubmatch(p.Body)
			if refusal == nil {
				t.Fatalf("a %s variant is not refused beside the variant filter:\n%.1500s", what, p.Body)
			}
			if strings.Contains(p.Body, `id="report-activity-title"`) {
				t.Errorf("the reports filtered by a %s variant show figures", what)
			}
			refusals[what] = strings.Replace(refusal[1], fmt.Sprint(id), "ID", 1)
		}
		if refusals["missing"] != refusals["another shop's"] || !strings.Contains(refusals["missing"], "ID") {
			t.Errorf("a missing variant is refused with %q, another shop's with %q: want the same words naming the id", refusals["missing"], refusals["another shop's"])
		}
	})
}

// TestReportsNameSkipsInWords: the activity's skipped decisions are listed
// by what happened, in the merchant's words, not by the reason's code.
func TestReportsNameSkipsInWords(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		if err := db.RecordSkip(ctx, w.shop.ID, w.variant.ID, stockbell.SkipBelowMinimum, map[string]any{"stock": 2, "min_inventory": 3}); err != nil {
			t.Fatal(err)
		}
		p := f.signIn(t, w.shop).get("/admin/reports")
		wantStatus(t, p, http.StatusOK, "reports")
		text := visibleText(p.Body)
		if want := "Skipped 1 because the stock was below the minimum inventory 1"; !strings.Contains(text, want) || strings.Contains(text, "below_minimum") {
			t.Errorf("reports page does not name the skip %q in words:\n%s", want, text)
		}
	})
}

// TestReportsOfAShopWhoseOrdersNeverArrive: Magento and PrestaShop send
// Stockbell no orders, so the Reports page of their shops says that
// purchases are not counted and that reorder advice uses the default
// rate, rather than that none of the shoppers notified bought. A Shopify
// shop's page beside them still counts its orders.
func TestReportsOfAShopWhoseOrdersNeverArrive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		for _, platform := range []stockbell.Platform{stockbell.PlatformMagento, stockbell.PlatformPrestaShop, stockbell.PlatformShopify} {
			w := newWaitingShopOn(t, f, platform, "ann@example.com", "bea@example.com")
			notifyFirst(t, f, w)
			why := "Stockbell receives no orders from " + platform.Name() + " shops"
			if platform.SendsOrders() {
				why = ""
			}
			wantOrdersCounted(t, f, w.shop, why)
			if platform != stockbell.PlatformShopify {
				continue
			}
			// The shop's scopes as granted at its next install: without
			// read_orders it sends none; write_orders covers read_orders.
			for scopes, why := range map[string]string{
				"read_products,read_inventory":              "Stockbell receives no orders from this shop, which has not granted access to its orders (Shopify's read_orders scope)",
				"read_products,read_inventory,write_orders": "",
			} {
				_, err := db.InstallShop(context.Background(), stockbell.ShopInstall{Platform: platform, Domain: w.shop.Domain, Name: w.shop.Name,
					Seal: func(int64) ([]byte, error) { return []byte("sealed"), nil }, Scopes: scopes})
				if err != nil {
					t.Fatal(err)
				}
				wantOrdersCounted(t, f, w.shop, why)
			}
		}
	})
}

// wantOrdersCounted checks that the shop's Reports page counts what its
// notified shopper bought, or, when why says why its orders never arrive,
// says so instead of "0 bought".
func wantOrdersCounted(t *testing.T, f *adminFixture, shop *stockbell.Shop, why string) {
	t.Helper()
	p := f.signIn(t, shop).get("/admin/reports")
	wantStatus(t, p, http.StatusOK, "reports of a "+string(shop.Platform)+" shop")
	text := html.UnescapeString(visibleText(p.Body))
	want := []string{"1 shopper notified in these days. " + why + ", so conversions and recovered revenue are not counted.",
		"a default rate: " + why + ", so it cannot tell whether the 1 shopper notified in the last 90 days bought."}
	if why == "" {
		want = []string{"Of the 1 shopper notified in these days, 0 bought.", "your shop has notified 1 shopper in the last 90 days"}
	}
	for _, sentence := range want {
		if !strings.Contains(text, sentence) {
			t.Errorf("the %s shop's reports lack %q:\n%s", shop.Platform, sentence, text)
		}
	}
	if why != "" && (strings.Contains(text, "0 bought") || !strings.Contains(p.Body, `data-label="Bought"><span class="muted">not counted</span>`)) {
		t.Errorf("the %s shop's reports say its shoppers bought nothing:\n%s", shop.Platform, p.Body)
	}
}
