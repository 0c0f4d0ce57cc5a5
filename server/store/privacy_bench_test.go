package store_test

import (
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// benchPrivacyEvents is how many events the privacy search benchmark's
// shop holds.
const benchPrivacyEvents = 50_000

// BenchmarkContactDataByPhone measures a data request by phone number in
// its worst case: every one of the shop's events holds a number of the
// same country code in punctuation (another subscriber's), so every row
// is a candidate the database reads with a regular expression, and none
// names the contact.
func BenchmarkContactDataByPhone(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			db := storetest.Open(b, dialect)
			shop := storetest.MustShop(b, db, stockbell.PlatformShopify, "bench.myshopify.com")
			insertBenchEvents(b, db, shop.ID)
			b.ResetTimer()
			for b.Loop() {
				data, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Phone: "+14155550100"})
				if err != nil {
					b.Fatal(err)
				}
				if len(data.Events) != 0 {
					b.Fatalf("%d events name the contact, want none", len(data.Events))
				}
			}
		})
	}
}

// insertBenchEvents stores benchPrivacyEvents events in the shop, each
// naming another +1 number as an SMS provider's error quotes it.
func insertBenchEvents(b *testing.B, db *store.DB, shopID int64) {
	b.Helper()
	tx, err := db.DB.BeginTxx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	insert := tx.Rebind(`INSERT INTO events (shop_id, kind, detail, created_at) VALUES (?, ?, ?, ?)`)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range benchPrivacyEvents {
		detail := fmt.Sprintf(`{"reason":"twilio 400: The 'To' number +1 (415) 555-%04d is not a mobile number"}`, 1000+i%9000)
		if _, err := tx.ExecContext(ctx, insert, shopID, stockbell.EventNotified, detail, at); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
