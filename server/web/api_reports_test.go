package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// TestAPIReportsAndExports: the reports and exports answer for the key's
// shop only; the queued export is a header row and one row per queued
// subscriber (with the byte order mark on ?bom=1); a bad range is refused
// as JSON before any CSV is written.
func TestAPIReportsAndExports(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "=cmd@example.com", "bea@example.com")
		key := mustAPIKey(t, db, w.shop)
		if _, err := db.RemoveSubscription(context.Background(), w.shop.ID, w.subs[2].ID, stockbell.AdminUser{}); err != nil {
			t.Fatal(err)
		}
		queued := apiDo(t, f, key, "GET", "/api/v1/exports/queued-subscribers.csv", "")
		wantAPI(t, queued, 200, "the queued export")
		rows, err := csv.NewReader(strings.NewReader(queued.Raw)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || strings.HasPrefix(queued.Raw, "\uFEFF") || !strings.Contains(queued.Raw, "ann@example.com") ||
			!strings.Contains(queued.Raw, "'=cmd@example.com") || strings.Contains(queued.Raw, "bea@example.com") ||
			strings.Contains(queued.Raw, "someone@other.example") {
			t.Fatalf("queued export (header + 2 queued of this shop, guarded):\n%s", queued.Raw)
		}
		withBOM := apiDo(t, f, key, "GET", "/api/v1/exports/queued-subscribers.csv?bom=1", "")
		if !strings.HasPrefix(withBOM.Raw, "\uFEFF") || strings.TrimPrefix(withBOM.Raw, "\uFEFF") != queued.Raw {
			t.Fatalf("?bom=1:\n%q", withBOM.Raw)
		}
		activity := apiDo(t, f, key, "GET", "/api/v1/exports/activity.csv", "")
		if activity.Status != 200 || !strings.Contains(activity.Raw, "subscribed") || strings.Contains(activity.Raw, "someone@other.example") {
			t.Fatalf("activity export: %d\n%s", activity.Status, activity.Raw)
		}
		bad := apiDo(t, f, key, "GET", "/api/v1/exports/activity.csv?from=yesterday", "")
		if bad.Status != 422 || bad.errorField() != "from" {
			t.Fatalf("a bad range: %d %s", bad.Status, bad.Raw)
		}
		report := apiDo(t, f, key, "GET", "/api/v1/reports/activity", "")
		wantAPI(t, report, 200, "the activity report")
		if totals := report.Body["totals"].(map[string]any); totals["subscribed"] != 3.0 {
			t.Fatalf("activity totals: %s", report.Raw)
		}
		demand := apiDo(t, f, key, "GET", "/api/v1/reports/demand", "")
		if demand.Status != 200 || demand.Body["total"] != 1.0 {
			t.Fatalf("demand: %d %s", demand.Status, demand.Raw)
		}
		wantAPI(t, apiDo(t, f, key, "GET", "/api/v1/reports/conversions", ""), 200, "the conversion report")
		if a := apiDo(t, f, "", "GET", "/api/v1/exports/queued-subscribers.csv", ""); a.Status != http.StatusUnauthorized || a.Body["error"] == nil {
			t.Fatalf("an export without a key: %d %s", a.Status, a.Raw)
		}
	})
}

// TestAPIExportCutShortFails: an API export whose read fails after rows
// went out is broken off, so that a script sees the download fail rather
// than saving a file with rows missing as if it were complete.
func TestAPIExportCutShortFails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixtureOf(t, db, func(deps *web.APIDeps) {
			deps.Reports = &report.Reports{Store: activityCutOff{ReportStore: db, after: 1500}, Settings: db, Demand: db, Shops: db, Clock: deps.Reports.Clock}
		})
		w := newWaitingShop(t, f)
		addRestocks(t, f, w, 2000)
		req, _ := http.NewRequest(http.MethodGet, f.url+"/api/v1/exports/activity.csv", nil)
		req.Header.Set("Authorization", "Bearer "+mustAPIKey(t, db, w.shop))
		resp, err := http.DefaultClient.Do(req)
		wantBrokenOff(t, resp, err)
	})
}

// TestExportBOMSpellings: the API's exports and the admin's take the same
// spellings of bom: 1 and true (in any case) ask for the byte order mark.
func TestExportBOMSpellings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		api := newAPIFixture(t, db)
		w := newWaitingShop(t, api, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		admin := newAdminFixture(t, db).signIn(t, w.shop)
		for bom, want := range map[string]bool{"1": true, "true": true, "TRUE": true, "True": true, "0": false, "false": false, "": false} {
			viaAPI := apiDo(t, api, key, "GET", "/api/v1/exports/queued-subscribers.csv?bom="+bom, "")
			viaAdmin := admin.get("/admin/reports/queued-subscribers.csv?bom=" + bom)
			if strings.HasPrefix(viaAPI.Raw, report.BOM) != want || strings.HasPrefix(viaAdmin.Body, report.BOM) != want {
				t.Errorf("bom=%s: byte order mark from the API %t, from the admin %t; want %t", bom,
					strings.HasPrefix(viaAPI.Raw, report.BOM), strings.HasPrefix(viaAdmin.Body, report.BOM), want)
			}
		}
	})
}

// TestAPIReportsNameFieldsAsDocumented: a demand row names its variant,
// queue and last restock as the OpenAPI document does (variant.id, the id
// the activity report's variant filter takes), still also under the names
// earlier versions wrote (Variant, Queued); revenue with no conversion is
// an empty list of amounts, never null.
func TestAPIReportsNameFieldsAsDocumented(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		key := mustAPIKey(t, db, w.shop)
		demand := apiDo(t, f, key, "GET", "/api/v1/reports/demand", "")
		wantAPI(t, demand, 200, "the demand report")
		row := demand.Body["rows"].([]any)[0].(map[string]any)
		variant, _ := row["variant"].(map[string]any)
		if variant == nil || variant["id"] != float64(w.variant.ID) || variant["platform_id"] != "v-m" || row["queued"] != 2.0 ||
			row["last_restock_at"] != nil || row["last_batch"] != nil {
			t.Fatalf("demand row without the documented names: %s", demand.Raw)
		}
		if _, ok := row["Variant"].(map[string]any); !ok || row["Queued"] != 2.0 {
			t.Fatalf("demand row without the names earlier versions wrote: %s", demand.Raw)
		}
		activity := apiDo(t, f, key, "GET", "/api/v1/reports/activity?variant="+fmt.Sprint(w.variant.ID), "")
		wantAPI(t, activity, 200, "the activity report")
		if strings.Contains(activity.Raw, `"revenue":null`) || !strings.Contains(activity.Raw, `"revenue":[]`) {
			t.Fatalf("revenue without conversions: %.600s", activity.Raw)
		}
		if totals := activity.Body["totals"].(map[string]any); totals["subscribed"] != 2.0 {
			t.Fatalf("the variant's activity: %.600s", activity.Raw)
		}
		// The platform's id, which the subscription list's filter takes, is
		// refused saying which id this filter takes.
		byPlatformID := apiDo(t, f, key, "GET", "/api/v1/reports/activity?variant=v-m", "")
		if byPlatformID.Status != 422 || byPlatformID.errorField() != "variant" || !strings.Contains(byPlatformID.errorMessage(), "variant.id") {
			t.Fatalf("?variant=v-m: %d %s", byPlatformID.Status, byPlatformID.Raw)
		}
	})
}

// TestAPIDemandReportNamesTheLastBatchAndTheWait: a demand row names what
// its last batch did as the rest of the JSON names its fields,
// last_batch_notified and last_batch_held (still also under the names
// earlier versions wrote, LastBatchNotified and LastBatchHeld), and the
// end of the wait between batches as waiting_until, in RFC 3339 UTC while
// the wait runs; left out, as the API leaves out other times that have
// none, once the engine ended it or its end has come.
func TestAPIDemandReportNamesTheLastBatchAndTheWait(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		row := func() (map[string]any, string) {
			t.Helper()
			demand := apiDo(t, f, key, "GET", "/api/v1/reports/demand", "")
			wantAPI(t, demand, 200, "the demand report")
			rows, _ := demand.Body["rows"].([]any)
			if len(rows) != 1 {
				t.Fatalf("demand rows, want the sweater's: %s", demand.Raw)
			}
			return rows[0].(map[string]any), demand.Raw
		}
		first, _ := waitAfterABatchToEveryone(t, f, w, "bea@example.com")
		got, raw := row()
		want := first.WaitingUntil.UTC().Format(time.RFC3339Nano)
		if got["last_batch_notified"] != 1.0 || got["last_batch_held"] != 0.0 || got["waiting_until"] != want ||
			!strings.HasSuffix(want, "Z") {
			t.Errorf("demand row during the wait, want last_batch_notified 1, last_batch_held 0, waiting_until %s: %s", want, raw)
		}
		if got["LastBatchNotified"] != 1.0 || got["LastBatchHeld"] != 0.0 {
			t.Errorf("demand row without the names earlier versions wrote: %s", raw)
		}
		if hasKey(got, "WaitingUntil") {
			t.Errorf("demand row writes the wait under its Go name: %s", raw)
		}

		ended, err := db.EndWait(context.Background(), stockbell.WaitEnd{ShopID: w.shop.ID, VariantID: w.variant.ID, Until: *first.WaitingUntil})
		if err != nil || !ended {
			t.Fatalf("ending the wait: %v, %v", ended, err)
		}
		if got, raw := row(); hasKey(got, "waiting_until") {
			t.Errorf("after the engine ended the wait, the row still has waiting_until: %s", raw)
		}
		second, _ := waitAfterABatchToEveryone(t, f, w, "cy@example.com")
		f.clock.Add(second.WaitingUntil.Sub(f.clock.Now()))
		if got, raw := row(); hasKey(got, "waiting_until") {
			t.Errorf("at the wait's end, the row still has waiting_until: %s", raw)
		}
	})
}

func hasKey(m map[string]any, key string) bool {
	_, ok := m[key]
	return ok
}

// TestActivityRefusesAVariantThatIsNotTheShops: the activity report and
// its exports, in the API and the admin, refuse a variant id the shop has
// no variant by (none has it, or another shop's) naming the variant field,
// in the same words for both, rather than answering empty figures.
func TestActivityRefusesAVariantThatIsNotTheShops(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		others, err := db.FindVariant(context.Background(), w.other.ID, "v-m")
		if err != nil {
			t.Fatal(err)
		}
		for what, id := range map[string]int64{"missing": others.ID + 1000, "another shop's": others.ID} {
			for _, path := range []string{"/api/v1/reports/activity", "/api/v1/exports/activity.csv"} {
				got := apiDo(t, f, key, "GET", fmt.Sprintf("%s?variant=%d", path, id), "")
				if got.Status != 422 || got.errorField() != "variant" || !strings.Contains(got.Raw, fmt.Sprintf("no variant %d", id)) {
					t.Errorf("%s with a %s variant: %d %s, want 422 naming the variant", path, what, got.Status, got.Raw)
				}
			}
		}
		own := apiDo(t, f, key, "GET", fmt.Sprintf("/api/v1/exports/activity.csv?variant=%d", w.variant.ID), "")
		wantAPI(t, own, 200, "the activity export of the shop's own variant")

		admin := newAdminFixture(t, db).signIn(t, w.shop)
		p := admin.get(fmt.Sprintf("/admin/reports/activity.csv?variant=%d", others.ID))
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, fmt.Sprintf("no variant %d", others.ID)) {
			t.Errorf("the admin's activity export of another shop's variant: %d\n%.600s", p.Status, p.Body)
		}
	})
}

// TestAPIExportRefusesAnUnknownBOM: bom is 1, true, 0 or false in any
// case; another value (bom=yes) is refused 422 naming bom, as JSON before
// any CSV, rather than read as "no byte order mark".
func TestAPIExportRefusesAnUnknownBOM(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		key := mustAPIKey(t, db, w.shop)
		for _, export := range []string{"queued-subscribers.csv", "activity.csv"} {
			for _, bom := range []string{"yes", "on", "2", "tru"} {
				a := apiDo(t, f, key, "GET", "/api/v1/exports/"+export+"?bom="+bom, "")
				if a.Status != 422 || a.errorField() != "bom" || !strings.Contains(a.errorMessage(), bom) {
					t.Errorf("%s?bom=%s: %d %.200s", export, bom, a.Status, a.Raw)
				}
			}
			for _, bom := range []string{"0", "false", "FALSE"} {
				a := apiDo(t, f, key, "GET", "/api/v1/exports/"+export+"?bom="+bom, "")
				if a.Status != 200 || strings.HasPrefix(a.Raw, report.BOM) {
					t.Errorf("%s?bom=%s: %d %.200q", export, bom, a.Status, a.Raw)
				}
			}
		}
	})
}
