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

// activateMagento installs a Magento shop as an activation does, with the
// consumer key and a module secret.
func activateMagento(t *testing.T, db *store.DB, domain, key, secret string) (*stockbell.Shop, error) {
	t.Helper()
	return db.InstallMagentoShop(ctx, stockbell.MagentoInstall{
		ShopInstall: stockbell.ShopInstall{Platform: stockbell.PlatformMagento, Domain: domain, Name: domain, Seal: fixedSeal("sealed"),
			FollowUp: func(shop *stockbell.Shop) []stockbell.JobArgs {
				return []stockbell.JobArgs{stockbell.MagentoCatalogSyncJob{ShopID: shop.ID}}
			}},
		KeyHash:      key,
		ModuleSecret: func(id int64) (stockbell.WebhookSecret, error) { return secretOf(id, secret), nil }})
}

func TestMagentoActivations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		key := secretOf(0, "consumer key").Hash
		first, err := activateMagento(t, db, "one.example.com", key, "first secret")
		must(t, err)
		got, err := db.FindMagentoActivation(ctx, key)
		must(t, err)
		if got.ShopID != first.ID || !got.ActivatedAt.Equal(clock.Now()) || !first.Active() {
			t.Fatalf("activation = %+v, want shop %d at %s", got, first.ID, clock.Now())
		}
		// A reactivation keeps the module secret the module was configured with.
		_, err = activateMagento(t, db, "one.example.com", secretOf(0, "new key").Hash, "second secret")
		must(t, err)
		if s, err := db.FindShopWebhookSecret(ctx, first.ID); err != nil || s.Hash != secretOf(0, "first secret").Hash {
			t.Fatalf("secret after a reactivation = %+v, %v; want the first", s, err)
		}
		// The same key activated again (another store reused it) moves, with its time.
		clock.Add(time.Minute)
		second, err := activateMagento(t, db, "two.example.com", key, "other secret")
		must(t, err)
		if got, err := db.FindMagentoActivation(ctx, key); err != nil || got.ShopID != second.ID || !got.ActivatedAt.Equal(clock.Now()) {
			t.Fatalf("reactivation = %+v, %v", got, err)
		}
		_, err = db.FindMagentoActivation(ctx, secretOf(0, "other").Hash)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = activateMagento(t, db, "three.example.com", "not-a-hash", "secret")
		wantCode(t, err, stockbell.EINVALID, "consumer_key")
		if _, err := db.FindShopByDomain(ctx, stockbell.PlatformMagento, "three.example.com"); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("a refused activation created its shop: %v", err)
		}
		// Erasing the shop erases its activations.
		must(t, db.UninstallShop(ctx, second.ID))
		must(t, db.DeleteShop(ctx, second.ID))
		_, err = db.FindMagentoActivation(ctx, key)
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}
