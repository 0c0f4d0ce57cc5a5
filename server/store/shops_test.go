package store_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestInstallShop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: " Example.MyShopify.com ",
			PrimaryDomain: "Shop.Example.com", Name: "Example", Seal: fixedSeal("tok1"), Scopes: "read_products"})
		must(t, err)
		if !regexp.MustCompile(`^pk_[a-z2-7]{24}$`).MatchString(shop.PublicKey) {
			t.Fatalf("public key %q is not pk_ + 24 base32 characters", shop.PublicKey)
		}
		if shop.Domain != "example.myshopify.com" || shop.PrimaryDomain != "shop.example.com" || shop.Status != stockbell.ShopInstalled ||
			string(shop.SealedToken) != "tok1" || !shop.InstalledAt.Equal(clock.Now()) || shop.UninstalledAt != nil {
			t.Fatalf("installed shop = %+v", shop)
		}

		clock.Add(time.Hour)
		must(t, db.UninstallShop(ctx, shop.ID))
		got, err := db.FindShopByID(ctx, shop.ID)
		must(t, err)
		if got.Status != stockbell.ShopUninstalled || got.UninstalledAt == nil || !got.UninstalledAt.Equal(clock.Now()) || got.SealedToken != nil || got.Active() {
			t.Fatalf("uninstalled shop = %+v", got)
		}

		clock.Add(time.Hour)
		again, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "example.myshopify.com",
			Seal: fixedSeal("tok2"), Scopes: "read_products,read_inventory"})
		must(t, err)
		if again.ID != shop.ID || again.PublicKey != shop.PublicKey {
			t.Fatalf("reinstall changed identity: id %d→%d, key %s→%s", shop.ID, again.ID, shop.PublicKey, again.PublicKey)
		}
		if again.Status != stockbell.ShopInstalled || string(again.SealedToken) != "tok2" || again.Scopes != "read_products,read_inventory" ||
			again.UninstalledAt != nil || !again.InstalledAt.Equal(clock.Now()) || again.Name != "Example" || again.PrimaryDomain != "shop.example.com" {
			t.Fatalf("reinstalled shop = %+v", again)
		}
		kinds := []stockbell.EventKind{}
		events, _, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID})
		must(t, err)
		for _, e := range events {
			kinds = append(kinds, e.Kind)
		}
		want := []stockbell.EventKind{stockbell.EventShopInstalled, stockbell.EventShopUninstalled, stockbell.EventShopInstalled}
		if len(kinds) != 3 || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] {
			t.Fatalf("events newest first = %v, want %v", kinds, want)
		}
	})
}

// TestInstallShopPlatformTime: an install records the platform's time of
// it as given, a reinstall replaces it, and a reinstall that knows none
// leaves none (not the earlier install's).
func TestInstallShopPlatformTime(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		install := func(at time.Time) *stockbell.Shop {
			t.Helper()
			shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "example.myshopify.com",
				Seal: fixedSeal("tok"), PlatformInstalledAt: at})
			must(t, err)
			stored, err := db.FindShopByID(ctx, shop.ID)
			must(t, err)
			return stored
		}
		first := time.Date(2026, 3, 1, 11, 58, 30, 0, time.FixedZone("EST", -5*3600))
		if got := install(first).PlatformInstalledAt; got == nil || !got.Equal(first) {
			t.Fatalf("platform install time %v, want %v", got, first)
		}
		second := first.Add(90 * time.Second)
		if got := install(second).PlatformInstalledAt; got == nil || !got.Equal(second) {
			t.Fatalf("after reinstall: platform install time %v, want %v", got, second)
		}
		if got := install(time.Time{}).PlatformInstalledAt; got != nil {
			t.Fatalf("a reinstall without a platform time kept %v", got)
		}
	})
}

func TestInstallShopInvalid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		_, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: "wix", Domain: "a.example"})
		wantCode(t, err, stockbell.EINVALID, "platform")
		_, err = db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "  "})
		wantCode(t, err, stockbell.EINVALID, "domain")
		if n := count(t, db, `SELECT COUNT(*) FROM shops`); n != 0 {
			t.Fatalf("%d shops stored after invalid installs", n)
		}
	})
}

func TestFindShopByKey(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "one.myshopify.com", PrimaryDomain: "www.one.example"})
		must(t, err)
		other := install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		for _, key := range []string{shop.PublicKey, "one.myshopify.com", "ONE.MyShopify.com", "www.one.example", "https://WWW.One.Example/"} {
			got, err := db.FindShopByKey(ctx, key)
			must(t, err)
			if got.ID != shop.ID {
				t.Fatalf("FindShopByKey(%q) = shop %d, want %d", key, got.ID, shop.ID)
			}
		}
		got, err := db.FindShopByKey(ctx, other.PublicKey)
		must(t, err)
		if got.ID != other.ID {
			t.Fatalf("key of the second shop found shop %d", got.ID)
		}
		for _, key := range []string{"", "pk_unknown", "two.myshopify.com"} {
			_, err := db.FindShopByKey(ctx, key)
			wantCode(t, err, stockbell.ENOTFOUND, "")
		}
	})
}

func TestFindShops(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		b := install(t, db, stockbell.PlatformShopify, "b.myshopify.com")
		c := install(t, db, stockbell.PlatformMagento, "c.example")
		must(t, db.UninstallShop(ctx, b.ID))

		shopify, installed := stockbell.PlatformShopify, stockbell.ShopInstalled
		shops, total, err := db.FindShops(ctx, stockbell.ShopFilter{Platform: &shopify})
		must(t, err)
		if total != 2 || len(shops) != 2 || shops[0].ID != a.ID || shops[1].ID != b.ID {
			t.Fatalf("shopify shops = %d of %d", len(shops), total)
		}
		shops, total, err = db.FindShops(ctx, stockbell.ShopFilter{Status: &installed, Limit: 1, Offset: 1})
		must(t, err)
		if total != 2 || len(shops) != 1 || shops[0].ID != c.ID {
			t.Fatalf("second installed shop page = %v of %d", shops, total)
		}
		domain := "C.Example"
		shops, total, err = db.FindShops(ctx, stockbell.ShopFilter{Domain: &domain})
		must(t, err)
		if total != 1 || shops[0].ID != c.ID {
			t.Fatalf("by domain = %v of %d", shops, total)
		}
		got, err := db.FindShopByDomain(ctx, stockbell.PlatformShopify, "A.myshopify.com")
		must(t, err)
		if got.ID != a.ID {
			t.Fatalf("FindShopByDomain = %d", got.ID)
		}
		_, err = db.FindShopByDomain(ctx, stockbell.PlatformMagento, "a.myshopify.com")
		wantCode(t, err, stockbell.ENOTFOUND, "")
		_, err = db.FindShopByID(ctx, 9999)
		wantCode(t, err, stockbell.ENOTFOUND, "")
		wantCode(t, db.UninstallShop(ctx, 9999), stockbell.ENOTFOUND, "")
	})
}

// TestDeleteShopErasesEverything: an uninstalled shop is erased with all
// its rows and nothing of another shop's; an installed one never is.
func TestDeleteShopErasesEverything(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "gone.myshopify.com")
		keep := install(t, db, stockbell.PlatformShopify, "kept.myshopify.com")
		for _, s := range []*stockbell.Shop{shop, keep} {
			product(t, db, s.ID, "p1", map[string]int{"v1": 0})
			v := variant(t, db, s.ID, "v1")
			sub := insertSubscription(t, db, s.ID, v.ID, "ann@example.com", "", stockbell.SubscriptionNotified)
			sentMessage(t, db, s.ID, sub, 1, stockbell.MessageSent, db.Clock.Now())
			must(t, db.AddShopOrigin(ctx, s.ID, "https://headless.example"))
			_, err := db.UpdateSettings(ctx, s.ID, stockbell.SettingsUpdate{PerUnit: ptr(2)})
			must(t, err)
			_, err = db.RecordReceipt(ctx, &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, ShopID: &s.ID,
				Domain: s.Domain, EventID: "d1", Topic: "products/update", Payload: []byte("{}")})
			must(t, err)
		}
		wantCode(t, db.DeleteShop(ctx, shop.ID), stockbell.ECONFLICT, "")
		if n := count(t, db, `SELECT COUNT(*) FROM variants`); n != 2 {
			t.Fatalf("refusing to erase an installed shop erased %d of its variants", 2-n)
		}
		must(t, db.UninstallShop(ctx, shop.ID))
		must(t, db.DeleteShop(ctx, shop.ID))
		wantCode(t, db.DeleteShop(ctx, shop.ID), stockbell.ENOTFOUND, "")
		for _, table := range []string{"shops", "shop_origins", "restock_settings", "products", "variants", "inventory_levels",
			"subscriptions", "messages", "events", "webhook_receipts"} {
			column := "shop_id"
			switch table {
			case "shops":
				column = "id"
			case "inventory_levels":
				column = "(SELECT shop_id FROM variants WHERE variants.id = variant_id)"
			}
			if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE `+column+` = ?`, shop.ID); n != 0 {
				t.Errorf("%d rows of the deleted shop remain in %s", n, table)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE `+column+` = ?`, keep.ID); n == 0 {
				t.Errorf("the other shop lost its rows in %s", table)
			}
		}
		wantCode(t, db.DeleteShop(ctx, shop.ID), stockbell.ENOTFOUND, "")
	})
}

func TestShopOrigins(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformFeed, "feed.example")
		must(t, db.AddShopOrigin(ctx, shop.ID, "https://Shop.Example.com/"))
		must(t, db.AddShopOrigin(ctx, shop.ID, "https://shop.example.com"))
		must(t, db.AddShopOrigin(ctx, shop.ID, "http://localhost:3000"))
		origins, err := db.FindShopOrigins(ctx, shop.ID)
		must(t, err)
		if len(origins) != 2 || origins[0] != "http://localhost:3000" || origins[1] != "https://shop.example.com" {
			t.Fatalf("origins = %q", origins)
		}
		for _, bad := range []string{"", "shop.example.com", "ftp://shop.example.com", "https://shop.example.com/path",
			"https://shop.example.com?x=1", "https://user@shop.example.com", "https://", "https://shop.example.com:"} {
			wantCode(t, db.AddShopOrigin(ctx, shop.ID, bad), stockbell.EINVALID, "origin")
		}
		wantCode(t, db.AddShopOrigin(ctx, 9999, "https://x.example"), stockbell.ENOTFOUND, "")
		must(t, db.RemoveShopOrigin(ctx, shop.ID, "HTTPS://shop.example.com"))
		wantCode(t, db.RemoveShopOrigin(ctx, shop.ID, "https://shop.example.com"), stockbell.ENOTFOUND, "")
		origins, err = db.FindShopOrigins(ctx, shop.ID)
		must(t, err)
		if len(origins) != 1 || origins[0] != "http://localhost:3000" {
			t.Fatalf("origins after removal = %q", origins)
		}
		_, err = db.FindShopOrigins(ctx, 9999)
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

// TestStorefrontOriginsSeeChanges: a shop's origins checked for storefront
// requests are answered from memory, but a change committed through this
// store shows at once, and one committed by another replica within
// ShopCacheTTL.
func TestStorefrontOriginsSeeChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformFeed, "origins.example")
		want := func(when string, origins ...string) {
			t.Helper()
			got, err := db.FindStorefrontOrigins(ctx, shop.ID)
			must(t, err)
			if !slices.Equal(got, origins) {
				t.Fatalf("%s: origins %q, want %q", when, got, origins)
			}
		}
		want("none added")
		must(t, db.AddShopOrigin(ctx, shop.ID, "https://a.example"))
		want("right after an addition", "https://a.example")
		must(t, db.RemoveShopOrigin(ctx, shop.ID, "https://a.example"))
		want("right after a removal")

		other := store.New(db.Conn, db.Queue) // another replica's store
		must(t, other.AddShopOrigin(ctx, shop.ID, "https://b.example"))
		time.Sleep(store.ShopCacheTTL + 50*time.Millisecond)
		want("after another replica's addition and the cache's TTL", "https://b.example")
		_, err := db.FindStorefrontOrigins(ctx, 9999)
		wantCode(t, err, stockbell.ENOTFOUND, "")
	})
}

// TestIsStorefrontOrigin: a storefront preflight names only its origin;
// it is known when an installed shop allowed it, however the browser
// spells it, and no longer once removed or the shop uninstalled.
func TestIsStorefrontOrigin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformFeed, "origins.example")
		want := func(when, origin string, known bool) {
			t.Helper()
			got, err := db.IsStorefrontOrigin(ctx, origin)
			must(t, err)
			if got != known {
				t.Fatalf("%s: IsStorefrontOrigin(%q) = %v, want %v", when, origin, got, known)
			}
		}
		want("none added", "https://headless.example", false)
		must(t, db.AddShopOrigin(ctx, shop.ID, "https://headless.example"))
		want("added", "https://headless.example", true)
		want("spelled with the default port", "HTTPS://Headless.Example:443", true)
		want("another scheme", "http://headless.example", false)
		want("another port", "https://headless.example:8443", false)
		want("not an origin", "https://headless.example/path", false)
		want("the opaque origin", "null", false)
		must(t, db.UninstallShop(ctx, shop.ID))
		want("the shop uninstalled", "https://headless.example", false)
		other := install(t, db, stockbell.PlatformFeed, "other.example")
		must(t, db.AddShopOrigin(ctx, other.ID, "https://headless.example"))
		want("allowed by another shop", "https://headless.example", true)
		must(t, db.RemoveShopOrigin(ctx, other.ID, "https://headless.example"))
		want("removed", "https://headless.example", false)
	})
}

func ptr[T any](v T) *T { return &v }

func TestUpdateShopDetails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := storetest.MustShop(t, db, stockbell.PlatformShopify, "details.myshopify.com")
		must(t, db.UpdateShopDetails(ctx, shop.ID, stockbell.ShopDetails{Name: "Bells & Co", PrimaryDomain: "https://Bells.Example/"}))
		got, err := db.FindShopByID(ctx, shop.ID)
		must(t, err)
		if got.Name != "Bells & Co" || got.PrimaryDomain != "bells.example" {
			t.Fatalf("details not stored: %+v", got)
		}
		byPrimary, err := db.FindShopByKey(ctx, "bells.example")
		if err != nil || byPrimary.ID != shop.ID {
			t.Fatalf("FindShopByKey(primary domain) = %v, %v", byPrimary, err)
		}
		must(t, db.UpdateShopDetails(ctx, shop.ID, stockbell.ShopDetails{Name: "Bells"}))
		got, _ = db.FindShopByID(ctx, shop.ID)
		if got.Name != "Bells" || got.PrimaryDomain != "bells.example" {
			t.Fatalf("an empty primary domain erased the stored one: %+v", got)
		}
		if err := db.UpdateShopDetails(ctx, shop.ID+100, stockbell.ShopDetails{Name: "x"}); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("unknown shop: err = %v, want ENOTFOUND", err)
		}
	})
}

// TestInstallShopQueuesFollowUpInItsTransaction: the follow-up jobs are
// inserted with the shop, once however often the shop is reinstalled while
// they wait, and a failed insertion leaves no shop behind.
func TestInstallShopQueuesFollowUpInItsTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		followUp := func(s *stockbell.Shop) []stockbell.JobArgs {
			return []stockbell.JobArgs{stockbell.ShopifyRegisterWebhooksJob{ShopID: s.ID}, stockbell.ShopifyCatalogSyncJob{ShopID: s.ID}}
		}
		in := stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "f.myshopify.com", FollowUp: followUp}
		real := db.Queue
		db.Queue = &failingQueue{inner: real, n: 2}
		if _, err := db.InstallShop(ctx, in); err != errQueueFailed {
			t.Fatalf("InstallShop with a failing queue = %v", err)
		}
		db.Queue = real
		if n := count(t, db, `SELECT COUNT(*) FROM shops`); n != 0 {
			t.Fatal("the shop stayed installed without its follow-up jobs")
		}
		shop, err := db.InstallShop(ctx, in)
		must(t, err)
		_, err = db.InstallShop(ctx, in)
		must(t, err)
		for _, kind := range []string{"shopify_register_webhooks", "shopify_catalog_sync"} {
			if jobs := jobArgs(t, db, kind); len(jobs) != 1 || jobs[0]["shop_id"] != float64(shop.ID) {
				t.Errorf("%s jobs = %v, want one for shop %d", kind, jobs, shop.ID)
			}
		}
	})
}

// TestShopLookupsSeeChanges: the shops found by key and by domain are
// answered from memory, but a change committed through this store shows
// at once, and one committed by another process (another replica's
// store on the same database) within ShopCacheTTL.
func TestShopLookupsSeeChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "cached.myshopify.com")
		lookups := map[string]func() (*stockbell.Shop, error){
			"key": func() (*stockbell.Shop, error) { return db.FindShopByKey(ctx, shop.PublicKey) },
			"domain": func() (*stockbell.Shop, error) {
				return db.FindShopByDomain(ctx, stockbell.PlatformShopify, "cached.myshopify.com")
			},
		}
		wantStatus := func(when string, status stockbell.ShopStatus) {
			t.Helper()
			for name, find := range lookups {
				got, err := find()
				must(t, err)
				if got.ID != shop.ID || got.Status != status {
					t.Fatalf("%s, by %s: shop %d %s, want %d %s", when, name, got.ID, got.Status, shop.ID, status)
				}
			}
		}
		wantStatus("installed", stockbell.ShopInstalled)
		must(t, db.UninstallShop(ctx, shop.ID))
		wantStatus("right after the uninstall", stockbell.ShopUninstalled)
		install(t, db, stockbell.PlatformShopify, "cached.myshopify.com")
		wantStatus("right after the reinstall", stockbell.ShopInstalled)

		other := store.New(db.Conn, db.Queue) // another replica's store
		must(t, other.UninstallShop(ctx, shop.ID))
		time.Sleep(store.ShopCacheTTL + 50*time.Millisecond)
		wantStatus("after another replica's uninstall and the cache's TTL", stockbell.ShopUninstalled)
		must(t, db.DeleteShop(ctx, shop.ID))
		for _, find := range lookups {
			_, err := find()
			wantCode(t, err, stockbell.ENOTFOUND, "")
		}
	})
}
