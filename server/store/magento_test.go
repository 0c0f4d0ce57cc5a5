package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestShopWebhookSecret(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformMagento, "shop.example.com")
		_, err := db.FindShopWebhookSecret(ctx, shop.ID)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.EnsureWebhookSecret(ctx, secretOf(shop.ID, "module"))
		must(t, err)
		found, err := db.FindShopWebhookSecret(ctx, shop.ID)
		must(t, err)
		if found.Hash != secretOf(0, "module").Hash || string(found.Sealed) != "sealed:module" {
			t.Fatalf("found %+v", found)
		}
	})
}

func TestMagentoActivations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		first := install(t, db, stockbell.PlatformMagento, "one.example.com")
		second := install(t, db, stockbell.PlatformMagento, "two.example.com")
		clock := useClock(db)
		key := secretOf(0, "consumer key").Hash
		must(t, db.RecordMagentoActivation(ctx, first.ID, key))
		got, err := db.FindMagentoActivation(ctx, key)
		must(t, err)
		if got.ShopID != first.ID || !got.ActivatedAt.Equal(clock.Now()) {
			t.Fatalf("activation = %+v, want shop %d at %s", got, first.ID, clock.Now())
		}
		// The same key activated again (another store reused it) moves, with its time.
		clock.Add(time.Minute)
		must(t, db.RecordMagentoActivation(ctx, second.ID, key))
		if got, err := db.FindMagentoActivation(ctx, key); err != nil || got.ShopID != second.ID || !got.ActivatedAt.Equal(clock.Now()) {
			t.Fatalf("reactivation = %+v, %v", got, err)
		}
		_, err = db.FindMagentoActivation(ctx, secretOf(0, "other").Hash)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		wantCode(t, db.RecordMagentoActivation(ctx, first.ID, "not-a-hash"), stockbell.EINVALID, "consumer_key")
		wantCode(t, db.RecordMagentoActivation(ctx, second.ID+99, key), stockbell.ENOTFOUND, "")
		// Erasing the shop erases its activations.
		must(t, db.UninstallShop(ctx, second.ID))
		must(t, db.DeleteShop(ctx, second.ID))
		_, err = db.FindMagentoActivation(ctx, key)
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}
