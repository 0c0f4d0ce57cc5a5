package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func secretOf(shopID int64, secret string) stockbell.WebhookSecret {
	sum := sha256.Sum256([]byte(secret))
	return stockbell.WebhookSecret{ShopID: shopID, Hash: hex.EncodeToString(sum[:]), Sealed: []byte("sealed:" + secret)}
}

func TestShopUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		must(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "9128", Email: "Owner@Example.com", Owner: true}))
		must(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "77", Email: "clerk@example.com"}))
		must(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "9128"})) // a load without email keeps it
		owner, err := db.FindShopUser(ctx, shop.ID, "9128")
		must(t, err)
		if owner.Email != "owner@example.com" || !owner.Owner {
			t.Fatalf("owner = %+v", owner)
		}
		clock := useClock(db)
		vouched := clock.Now()
		clock.Add(time.Minute)
		must(t, db.RevokeShopUser(ctx, shop.ID, "77", clock.Now()))
		_, err = db.FindShopUser(ctx, shop.ID, "77")
		wantCode(t, err, stockbell.ENOTFOUND, "")
		must(t, db.RevokeShopUser(ctx, shop.ID, "77", vouched)) // an earlier removal changes nothing
		// A payload issued before the removal (replayed) grants nothing; a later one does.
		wantCode(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "77", GrantedAt: vouched}), stockbell.EUNAUTHORIZED, "")
		_, err = db.FindShopUser(ctx, shop.ID, "77")
		wantCode(t, err, stockbell.ENOTFOUND, "")
		clock.Add(time.Minute)
		must(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "77", GrantedAt: clock.Now()}))
		if u, err := db.FindShopUser(ctx, shop.ID, "77"); err != nil || u.Email != "clerk@example.com" {
			t.Fatalf("re-granted user = %+v, %v", u, err)
		}
		wantCode(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID}), stockbell.EINVALID, "user_id")
		wantCode(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID + 9, UserID: "1"}), stockbell.ENOTFOUND, "")
	})
}

// TestShopUserRemovalRecords: a removal is recorded for a user Stockbell
// never saw, is not moved back by an earlier one arriving late, and
// outlives an uninstall: payloads signed before it grant nothing.
func TestShopUserRemovalRecords(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		early := clock.Now()
		clock.Add(time.Minute)
		between := clock.Now()
		clock.Add(time.Minute)
		must(t, db.RevokeShopUser(ctx, shop.ID, "55", clock.Now()))
		wantCode(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "55", GrantedAt: early}), stockbell.EUNAUTHORIZED, "")
		must(t, db.RevokeShopUser(ctx, shop.ID, "55", early)) // late and older: the later removal stands
		wantCode(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "55", GrantedAt: between}), stockbell.EUNAUTHORIZED, "")
		_, err := db.FindShopUser(ctx, shop.ID, "55")
		wantCode(t, err, stockbell.ENOTFOUND, "")

		clock.Add(time.Minute)
		granted := clock.Now()
		must(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "55", Email: "clerk@example.com", GrantedAt: granted}))
		clock.Add(time.Minute)
		must(t, db.RevokeShopUser(ctx, shop.ID, "55", clock.Now()))
		must(t, db.UninstallShop(ctx, shop.ID))
		install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		wantCode(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "55", GrantedAt: granted}), stockbell.EUNAUTHORIZED, "")
		if emails, err := db.FindAdminEmails(ctx, shop.ID); err != nil || len(emails) != 0 {
			t.Fatalf("admin emails after the reinstall = %v, %v", emails, err)
		}

		wantCode(t, db.RevokeShopUser(ctx, shop.ID+9, "55", clock.Now()), stockbell.ENOTFOUND, "")
		wantCode(t, db.RevokeShopUser(ctx, shop.ID, " ", clock.Now()), stockbell.EINVALID, "user_id")
	})
}

func TestWebhookSecrets(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		first, err := db.EnsureWebhookSecret(ctx, secretOf(shop.ID, "first"))
		must(t, err)
		again, err := db.EnsureWebhookSecret(ctx, secretOf(shop.ID, "second"))
		must(t, err)
		if again.Hash != first.Hash || string(again.Sealed) != "sealed:first" {
			t.Fatalf("a second secret replaced the first: %+v", again)
		}
		found, err := db.FindWebhookSecret(ctx, secretOf(0, "first").Hash)
		must(t, err)
		if found.ShopID != shop.ID {
			t.Fatalf("found %+v", found)
		}
		_, err = db.FindWebhookSecret(ctx, secretOf(0, "second").Hash)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.EnsureWebhookSecret(ctx, stockbell.WebhookSecret{ShopID: shop.ID, Hash: "short"})
		wantCode(t, err, stockbell.EINVALID, "secret")

		// Uninstalling drops the secret and the users: hooks left behind are refused.
		must(t, db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "9128", Owner: true}))
		must(t, db.UninstallShop(ctx, shop.ID))
		_, err = db.FindWebhookSecret(ctx, first.Hash)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.FindShopUser(ctx, shop.ID, "9128")
		wantCode(t, err, stockbell.ENOTFOUND, "")
		// A reinstall gets a new secret.
		install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		next, err := db.EnsureWebhookSecret(ctx, secretOf(shop.ID, "second"))
		must(t, err)
		if next.Hash != secretOf(0, "second").Hash {
			t.Fatal("the reinstalled shop kept the old secret")
		}
	})
}

// TestShopOwnerEmail: the owner's address a platform tells with the shop's
// details (Shopify's shop email) is one of the shop's admin emails, of
// that shop only; a new address replaces it, an uninstall drops it, an
// uninstalled shop's details store none, and erasing the shop erases it.
func TestShopOwnerEmail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := install(t, db, stockbell.PlatformShopify, "a-bells.myshopify.com")
		b := install(t, db, stockbell.PlatformShopify, "b-bells.myshopify.com")
		must(t, db.UpdateShopDetails(ctx, a.ID, stockbell.ShopDetails{Name: "A", OwnerEmail: " Owner@A.example "}))
		must(t, db.UpdateShopDetails(ctx, b.ID, stockbell.ShopDetails{OwnerEmail: "owner@b.example"}))
		wantAdminEmails(t, db, a.ID, "owner@a.example")
		wantAdminEmails(t, db, b.ID, "owner@b.example")

		must(t, db.UpdateShopDetails(ctx, a.ID, stockbell.ShopDetails{Currency: "EUR"})) // no address: kept
		must(t, db.UpdateShopDetails(ctx, a.ID, stockbell.ShopDetails{OwnerEmail: "new-owner@a.example"}))
		wantAdminEmails(t, db, a.ID, "new-owner@a.example")
		wantAdminEmails(t, db, b.ID, "owner@b.example")

		must(t, db.UninstallShop(ctx, a.ID))
		wantAdminEmails(t, db, a.ID)
		must(t, db.UpdateShopDetails(ctx, a.ID, stockbell.ShopDetails{OwnerEmail: "late@a.example"})) // a job that read it before the uninstall
		wantAdminEmails(t, db, a.ID)
		install(t, db, stockbell.PlatformShopify, "a-bells.myshopify.com")
		must(t, db.UpdateShopDetails(ctx, a.ID, stockbell.ShopDetails{OwnerEmail: "third@a.example"}))
		wantAdminEmails(t, db, a.ID, "third@a.example")

		must(t, db.UninstallShop(ctx, a.ID))
		must(t, db.DeleteShop(ctx, a.ID))
		var left int
		must(t, db.DB.GetContext(ctx, &left, db.DB.Rebind(`SELECT COUNT(*) FROM shop_users WHERE shop_id = ? OR email LIKE '%a.example'`), a.ID))
		if left != 0 {
			t.Errorf("%d shop_users rows of the erased shop are left", left)
		}
		wantAdminEmails(t, db, b.ID, "owner@b.example")
	})
}

func wantAdminEmails(t *testing.T, db *store.DB, shopID int64, want ...string) {
	t.Helper()
	got, err := db.FindAdminEmails(ctx, shopID)
	must(t, err)
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("shop %d's admin emails are %q, want %q", shopID, got, want)
	}
}
