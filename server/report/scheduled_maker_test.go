package report_test

import (
	"encoding/json"
	"slices"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestScheduledReportJSONNamesWhoTheAdminNames: a scheduled report's JSON
// field created_by names who added it as the admin's page and the report's
// email do (ReportSubscription.Maker): "" for a report whose sign-in named
// no one, and for one recorded before makers were, whose stored "you"
// named whoever read it, where the JSON gave that "you" to every reader.
func TestScheduledReportJSONNamesWhoTheAdminNames(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for i, by := range []string{"Ada Owner", "you", ""} {
			_, err := db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: f.shop.ID,
				Email: string(rune('a'+i)) + "@example.com", Report: stockbell.ReportActivity, Frequency: stockbell.ReportDaily, CreatedBy: by})
			must(t, err)
		}
		subs, err := db.FindReportSubscriptions(ctx, f.shop.ID)
		must(t, err)
		for name, v := range map[string]any{"the list": subs, "each": []stockbell.ReportSubscription{*subs[0], *subs[1], *subs[2]}} {
			raw, err := json.Marshal(v)
			must(t, err)
			var read []struct {
				CreatedBy *string `json:"created_by"`
			}
			must(t, json.Unmarshal(raw, &read))
			var got []string
			for _, r := range read {
				if r.CreatedBy == nil {
					t.Fatalf("%s: created_by is missing: %s", name, raw)
				}
				got = append(got, *r.CreatedBy)
			}
			if want := []string{"Ada Owner", "", ""}; !slices.Equal(got, want) {
				t.Errorf("%s: created_by %q, want %q (as the admin names them): %s", name, got, want, raw)
			}
		}
	})
}
