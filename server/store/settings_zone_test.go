package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestSettingsTimeZoneAndAttributionWindow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "tz.myshopify.com")
		s, err := db.FindSettings(ctx, shop.ID)
		must(t, err)
		if s.TimeZone != "UTC" || s.AttributionWindow != 7*24*time.Hour || s.Location() != time.UTC {
			t.Fatalf("defaults = %+v", s)
		}
		s, err = db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{TimeZone: ptr("Asia/Kathmandu"), AttributionWindow: ptr(72 * time.Hour)})
		must(t, err)
		stored, err := db.FindSettings(ctx, shop.ID)
		must(t, err)
		if stored.TimeZone != "Asia/Kathmandu" || stored.AttributionWindow != 72*time.Hour || stored.Location().String() != "Asia/Kathmandu" {
			t.Fatalf("stored = %+v", stored)
		}
		for field, update := range map[string]stockbell.SettingsUpdate{
			"time_zone":          {TimeZone: ptr("Mars/Olympus_Mons")},
			"attribution_window": {AttributionWindow: ptr(30 * time.Minute)},
		} {
			_, err := db.UpdateSettings(ctx, shop.ID, update)
			wantCode(t, err, stockbell.EINVALID, field)
		}
		for _, bad := range []string{"", "Local"} {
			_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{TimeZone: ptr(bad)})
			wantCode(t, err, stockbell.EINVALID, "time_zone")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE kind = 'settings_changed'`); n != 1 {
			t.Fatalf("%d settings events, want 1", n)
		}
	})
}
