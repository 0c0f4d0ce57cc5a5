package magento_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

var ctx = context.Background()

// jobsEnv is the Magento integration on a real database, activated on a
// loopback store selling a configurable tee (two sizes), a mug and a cap.
type jobsEnv struct {
	t    *testing.T
	db   *store.DB
	fake *magentotest.Fake
	in   *magento.Integration
	shop *stockbell.Shop
}

func newJobsEnv(t *testing.T, db *store.DB) *jobsEnv {
	fake := magentotest.New()
	t.Cleanup(fake.Close)
	hour := time.Now().Add(-time.Hour)
	fake.Do(func(f *magentotest.Fake) {
		f.Products = []*magentotest.Product{
			{ID: 10, SKU: "TEE", Name: "Tee", Type: "configurable", Visibility: 4, Status: 1, URLKey: "tee", UpdatedAt: hour,
				Options: []magentotest.Option{{AttributeID: teeSize, Code: "size", Label: "Size"}},
				Children: []*magentotest.Product{
					{ID: 11, SKU: "TEE-S", Name: "Tee S", Type: "simple", Visibility: 1, Status: 1, Price: 19.5, ManageStock: true, UpdatedAt: hour,
						Values: map[string]int64{"size": teeSmall}},
					{ID: 12, SKU: "TEE-M", Name: "Tee M", Type: "simple", Visibility: 1, Status: 1, Price: 19.5, Qty: 5, InStock: true, ManageStock: true, UpdatedAt: hour,
						Values: map[string]int64{"size": teeMedium}}}},
			{ID: 20, SKU: "MUG", Name: "Mug", Type: "simple", Visibility: 4, Status: 1, Price: 8, URLKey: "mug", ManageStock: true, UpdatedAt: hour},
			{ID: 30, SKU: "CAP", Name: "Cap", Type: "simple", Visibility: 4, Status: 1, Price: 12, URLKey: "cap", ManageStock: true, UpdatedAt: hour},
		}
	})
	e := &jobsEnv{t: t, db: db, fake: fake, in: integrationOn(db)}
	shop, err := e.in.Activate(ctx, fake.ActivationForm())
	e.must(err)
	e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: shop.ID}))
	e.shop = shop
	return e
}

// integrationOn is the Magento integration on a real database, reaching
// loopback stores.
func integrationOn(db *store.DB) *magento.Integration {
	sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("k"), 32))
	client := magento.NewClient(true)
	client.Sleep = func(context.Context, time.Duration) error { return nil }
	return &magento.Integration{Shops: db, Catalog: db, Secrets: db, Activations: db, SyncLog: db, Jobs: db.Queue.(stockbell.JobInserter),
		Sealer: sealer, Client: client, Clock: stockbell.SystemClock{}, Logger: slog.New(slog.DiscardHandler), AllowHTTP: true}
}

// argsText selects a River job's args as JSON text on either database.
func argsText(db *store.DB) string {
	if db.Dialect == store.Postgres {
		return "args::text"
	}
	return "json(args)"
}

func (e *jobsEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *jobsEnv) variant(sku string) *stockbell.VariantWithProduct {
	e.t.Helper()
	v, err := e.db.FindVariant(ctx, e.shop.ID, sku)
	e.must(err)
	return v
}

// subscribe queues an email subscriber for the variant.
func (e *jobsEnv) subscribe(sku, email string) {
	e.t.Helper()
	_, _, err := e.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: e.shop.ID, VariantID: e.variant(sku).ID,
		Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}})
	e.must(err)
}

func (e *jobsEnv) lastSync() *stockbell.Event {
	e.t.Helper()
	log, _, err := e.db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: e.shop.ID, Limit: 1})
	e.must(err)
	if len(log) == 0 {
		e.t.Fatal("the sync log is empty")
	}
	return log[0]
}

// TestCatalogSyncMarksDeletedProducts: Magento's REST API tells of no
// deletion, so a complete catalog sync marks deleted the products it no
// longer lists (the cap), and only those: a configurable product keeps its
// sizes, and a product disabled in the store is unpublished, not deleted.
func TestCatalogSyncMarksDeletedProducts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.fake.Do(func(f *magentotest.Fake) {
			f.Products = f.Products[:2] // the cap is deleted
			f.Products[1].Status = 2    // the mug is disabled
		})
		// The daily run, a day after the activation's sync, queues one
		// sync per installed store.
		kind := stockbell.MagentoCatalogSyncJob{}.Kind()
		_, err := db.DB.Exec(db.DB.Rebind(`DELETE FROM river_job WHERE kind = ?`), kind)
		e.must(err)
		e.in.Clock = storetest.NewClock(time.Now().Add(24 * time.Hour))
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{}))
		e.in.Clock = stockbell.SystemClock{}
		var queued []string
		e.must(db.DB.Select(&queued, db.DB.Rebind(`SELECT `+argsText(db)+` FROM river_job WHERE kind = ?`), kind))
		var args stockbell.MagentoCatalogSyncJob
		if len(queued) != 1 || json.Unmarshal([]byte(queued[0]), &args) != nil || args.ShopID != e.shop.ID {
			t.Fatalf("catalog syncs queued by the daily run = %v, want the store's", queued)
		}
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
		if v := e.variant("CAP"); !v.Deleted || v.Notifiable() {
			t.Fatalf("the deleted cap = %+v", v)
		}
		if v := e.variant("MUG"); v.Deleted || v.Published {
			t.Fatalf("the disabled mug = %+v, want unpublished and kept", v)
		}
		for _, sku := range []string{"TEE-S", "TEE-M"} {
			if v := e.variant(sku); v.Deleted || !v.Published {
				t.Fatalf("%s = %+v", sku, v)
			}
		}
		if entry := e.lastSync(); entry.Kind != stockbell.EventSyncFinished || !strings.Contains(entry.Detail, `"unpublished":1`) {
			t.Fatalf("sync log = %+v", entry)
		}
	})
}

// TestRevokedIntegrationStopsTheStore: the merchant deactivates the
// integration in Magento, which answers 401 from then on. The job that
// meets it uninstalls the store (sending stops, the credentials are
// erased) and says why in the sync log, and it succeeds rather than
// failing forever; later jobs find nothing to do. Activating again
// reinstalls the store.
func TestRevokedIntegrationStopsTheStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		e.subscribe("TEE-S", "ada@example.com")
		e.fake.Revoke()

		for _, run := range []func() error{
			func() error { return e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}) },
			func() error { return e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}) },
		} {
			e.must(run())
			shop, err := db.FindShopByID(ctx, e.shop.ID)
			e.must(err)
			if shop.Active() || shop.SealedToken != nil {
				t.Fatalf("after a 401 the store = %+v, want uninstalled without credentials", shop)
			}
			if entry := e.lastSync(); entry.Kind != stockbell.EventSyncFailed || !strings.Contains(entry.Detail, "deactivated or deleted in Magento") {
				t.Fatalf("sync log = %+v", entry)
			}
			// Reinstalled by a new activation, then revoked again for the next job.
			shop, err = e.in.Activate(ctx, e.fake.ActivationForm())
			e.must(err)
			if !shop.Active() {
				t.Fatal("activating again did not reinstall the store")
			}
			e.fake.Revoke()
		}
		e.must(db.UninstallShop(ctx, e.shop.ID))
		failures := stockbell.EventSyncFailed
		before, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: e.shop.ID, Kind: &failures})
		e.must(err)
		e.must(e.in.Reconcile(ctx, stockbell.MagentoReconcileJob{ShopID: e.shop.ID}))
		after, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: e.shop.ID, Kind: &failures})
		e.must(err)
		if len(after) != len(before) {
			t.Fatal("a job for an uninstalled store read it again")
		}
	})
}

// TestRevocationOfReplacedCredentialsKeepsTheStore: reauthorizing the
// integration in Magento revokes its token and activates it again with new
// credentials at once. A job still holding the old credentials then meets
// a 401: the store, activated again meanwhile, stays installed with its new
// credentials and module secret, and the job fails to be retried with them.
func TestRevocationOfReplacedCredentialsKeepsTheStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newJobsEnv(t, db)
		secret, err := e.in.ModuleSecret(ctx, e.shop)
		e.must(err)
		reauthorized := false
		e.fake.Do(func(f *magentotest.Fake) {
			f.BeforeStockItem = func(f *magentotest.Fake, sku string) {
				if reauthorized {
					return
				}
				reauthorized = true
				// Reauthorize: the old token is gone, and the activation
				// of the new one is stored while the sync still reads.
				f.Unlocked(func() {
					f.Revoke()
					_, err := e.in.Activate(ctx, f.ActivationForm())
					e.must(err)
				})
			}
		})
		if err := e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}); err == nil {
			t.Fatal("a sync refused with the replaced credentials reported success")
		}
		shop, err := db.FindShopByID(ctx, e.shop.ID)
		e.must(err)
		if !shop.Active() || shop.SealedToken == nil {
			t.Fatalf("the store activated again was uninstalled by a 401 for its old credentials: %+v", shop)
		}
		after, err := e.in.ModuleSecret(ctx, shop)
		e.must(err)
		if after != secret {
			t.Fatal("the store's module secret changed: the module's configured secret no longer verifies")
		}
		e.fake.Do(func(f *magentotest.Fake) { f.BeforeStockItem = nil })
		e.must(e.in.SyncCatalog(ctx, stockbell.MagentoCatalogSyncJob{ShopID: e.shop.ID}))
	})
}
