package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestQuietHoursSettings: quiet hours are on, 21:00–09:00, for a new
// shop; a change is stored, recorded and read with the shop's messages;
// it changes no other shop's.
func TestQuietHoursSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		b := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		s, err := db.FindSettings(ctx, a.ID)
		must(t, err)
		if !s.QuietHours || s.QuietHoursStart != "21:00" || s.QuietHoursEnd != "09:00" {
			t.Fatalf("quiet hours of a new shop = %v %s–%s, want on 21:00–09:00", s.QuietHours, s.QuietHoursStart, s.QuietHoursEnd)
		}
		_, err = db.UpdateSettings(ctx, a.ID, stockbell.SettingsUpdate{QuietHours: ptr(false), QuietHoursStart: ptr("20:30"), QuietHoursEnd: ptr("08:00")})
		must(t, err)
		stored, err := db.FindSettings(ctx, a.ID)
		must(t, err)
		if stored.QuietHours || stored.QuietHoursStart != "20:30" || stored.QuietHoursEnd != "08:00" {
			t.Fatalf("stored quiet hours = %v %s–%s, want off 20:30–08:00", stored.QuietHours, stored.QuietHoursStart, stored.QuietHoursEnd)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE shop_id = ? AND kind = ?`, a.ID, stockbell.EventSettingsChanged); n != 1 {
			t.Fatalf("%d settings events, want 1", n)
		}
		other, err := db.FindSettings(ctx, b.ID)
		must(t, err)
		if *other != stockbell.DefaultRestockSettings(b.ID) {
			t.Fatalf("the other shop's settings changed: %+v", other)
		}
	})
}
