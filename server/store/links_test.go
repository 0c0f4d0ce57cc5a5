package store_test

import (
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// clickFixture is a shop with a variant, a subscription and a sent SMS message.
func clickFixture(t *testing.T, db *store.DB, domain, variantURL string) (shop *stockbell.Shop, messageID int64) {
	t.Helper()
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: domain, Name: "Shop"})
	must(t, err)
	_, err = db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Lamp", Published: true,
		URL: "https://" + domain + "/products/lamp", Variants: []stockbell.VariantUpsert{{PlatformID: "v1", URL: variantURL,
			Tracked: true, InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "main"}}}}})
	must(t, err)
	v, err := db.FindVariant(ctx, shop.ID, "v1")
	must(t, err)
	sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID, Phone: "+15145550123",
		Channels: stockbell.Channels{stockbell.ChannelSMS}, SMSConsent: true, Source: "snippet"})
	must(t, err)
	now := db.Clock.Now().UTC()
	must(t, db.DB.GetContext(ctx, &messageID, db.DB.Rebind(`INSERT INTO messages (shop_id, subscription_id, step, channel,
		recipient, status, due_at, created_at) VALUES (?, ?, 0, 'sms', ?, 'sent', ?, ?) RETURNING id`), shop.ID, sub.ID, sub.Phone, now, now))
	return shop, messageID
}

func TestRecordClick(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, msgID := clickFixture(t, db, "a.myshopify.com", "https://a.example/products/lamp?variant=1")
		target, err := db.RecordClick(ctx, msgID)
		must(t, err)
		want := stockbell.LinkTarget{ShopID: shop.ID, MessageID: msgID, Channel: stockbell.ChannelSMS,
			VariantURL: "https://a.example/products/lamp?variant=1", ProductURL: "https://a.myshopify.com/products/lamp", ShopDomain: "a.myshopify.com"}
		if *target != want {
			t.Fatalf("target %+v, want %+v", *target, want)
		}
		previewed, err := db.FindLinkTarget(ctx, msgID) // a preview: the same target, no click
		must(t, err)
		if *previewed != want {
			t.Fatalf("previewed target %+v, want %+v", *previewed, want)
		}
		clock.Add(time.Hour)
		since := clock.Now()
		_, err = db.RecordClick(ctx, msgID)
		must(t, err)
		otherShop, otherMsg := clickFixture(t, db, "b.myshopify.com", "")
		_, err = db.RecordClick(ctx, otherMsg)
		must(t, err)

		counts := []struct {
			filter stockbell.ClickFilter
			want   int
		}{
			{stockbell.ClickFilter{ShopID: &shop.ID}, 2},
			{stockbell.ClickFilter{ShopID: &shop.ID, MessageID: &msgID}, 2},
			{stockbell.ClickFilter{ShopID: &otherShop.ID, MessageID: &msgID}, 0},
			{stockbell.ClickFilter{ShopID: &shop.ID, Since: &since}, 1},
			{stockbell.ClickFilter{ShopID: &otherShop.ID}, 1},
		}
		for _, c := range counts {
			n, err := db.CountClicks(ctx, c.filter)
			must(t, err)
			if n != c.want {
				t.Errorf("CountClicks(%+v) = %d, want %d", c.filter, n, c.want)
			}
		}
		_, err = db.CountClicks(ctx, stockbell.ClickFilter{MessageID: &msgID})
		wantCode(t, err, stockbell.EINVALID, "shop_id")
		_, err = db.RecordClick(ctx, msgID+1000)
		wantCode(t, err, stockbell.ENOTFOUND, "")

		// Erasing a shop erases its clicks.
		must(t, db.UninstallShop(ctx, shop.ID))
		must(t, db.DeleteShop(ctx, shop.ID))
		_, err = db.RecordClick(ctx, msgID)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.FindLinkTarget(ctx, msgID)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		if n := count(t, db, `SELECT COUNT(*) FROM message_clicks`); n != 1 {
			t.Fatalf("%d clicks left, want the other shop's 1", n)
		}
	})
}

// TestRecordLandingClick: a click reported by the page an email's link led
// to is recorded as a short link's click is, once per message in the
// window (a reload, or the short link that redirected there, is one click),
// and only for the message's own shop.
func TestRecordLandingClick(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, msgID := clickFixture(t, db, "a.myshopify.com", "https://a.example/products/lamp?variant=1")
		other, otherMsg := clickFixture(t, db, "b.myshopify.com", "")
		clicks := func(shopID int64) int {
			n, err := db.CountClicks(ctx, stockbell.ClickFilter{ShopID: &shopID})
			must(t, err)
			return n
		}
		land := func(shopID, messageID int64, want bool) {
			t.Helper()
			recorded, err := db.RecordLandingClick(ctx, shopID, messageID, 30*time.Minute)
			must(t, err)
			if recorded != want {
				t.Fatalf("RecordLandingClick(shop %d, message %d) recorded %v, want %v", shopID, messageID, recorded, want)
			}
		}
		land(shop.ID, msgID, true)
		clock.Add(29 * time.Minute)
		land(shop.ID, msgID, false) // a reload
		if n := clicks(shop.ID); n != 1 {
			t.Fatalf("%d clicks after a landing and its reload, want 1", n)
		}
		clock.Add(2 * time.Minute)
		land(shop.ID, msgID, true) // back from the email half an hour later
		clock.Add(time.Hour)
		_, err := db.RecordClick(ctx, msgID) // the short link, then the page it redirected to
		must(t, err)
		land(shop.ID, msgID, false)
		if n := clicks(shop.ID); n != 3 {
			t.Fatalf("%d clicks, want 3", n)
		}

		// Another shop's message, or none, is not found and records nothing.
		_, err = db.RecordLandingClick(ctx, shop.ID, otherMsg, 30*time.Minute)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.RecordLandingClick(ctx, other.ID, msgID, 30*time.Minute)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.RecordLandingClick(ctx, shop.ID, msgID+1000, 30*time.Minute)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		if a, b := clicks(shop.ID), clicks(other.ID); a != 3 || b != 0 {
			t.Fatalf("after refused landings: shop A %d clicks, shop B %d; want 3 and 0", a, b)
		}
	})
}

// TestRecordLandingClickRacing: reports of one landing arriving together
// (two tabs, a page loaded twice) record one click on both databases.
func TestRecordLandingClickRacing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, msgID := clickFixture(t, db, "a.myshopify.com", "https://a.example/products/lamp?variant=1")
		var wg sync.WaitGroup
		var mu sync.Mutex
		recorded, failed := 0, []error{}
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := db.RecordLandingClick(ctx, shop.ID, msgID, 30*time.Minute)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed = append(failed, err)
				} else if ok {
					recorded++
				}
			}()
		}
		wg.Wait()
		n, err := db.CountClicks(ctx, stockbell.ClickFilter{ShopID: &shop.ID})
		must(t, err)
		if len(failed) > 0 || recorded != 1 || n != 1 {
			t.Fatalf("12 reports at once: %d said recorded, %d clicks stored, errors %v; want 1, 1, none", recorded, n, failed)
		}
	})
}
