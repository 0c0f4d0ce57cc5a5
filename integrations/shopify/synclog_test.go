package shopify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// syncEntry is one sync log entry of a source, as the admin reads it.
type syncEntry struct {
	Kind        stockbell.EventKind
	Source      string `json:"source"`
	Items       int    `json:"items"`
	Unpublished int    `json:"unpublished"`
	Reason      string `json:"reason"`
	Failures    int    `json:"failures"`
}

func (s syncEntry) String() string {
	if s.Kind == stockbell.EventSyncFailed {
		return fmt.Sprintf("failed %d", max(s.Failures, 1))
	}
	return fmt.Sprintf("%s items=%d unpublished=%d", s.Kind, s.Items, s.Unpublished)
}

// syncLog returns the shop's sync log entries of source, newest first.
func (e *env) syncLog(shopID int64, source string) []syncEntry {
	e.t.Helper()
	events, _, err := e.db.FindSyncLog(context.Background(), stockbell.SyncLogFilter{ShopID: shopID})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []syncEntry
	for _, ev := range events {
		var entry syncEntry
		if err := json.Unmarshal([]byte(ev.Detail), &entry); err != nil {
			e.t.Fatal(err)
		}
		if entry.Kind = ev.Kind; entry.Source == source {
			out = append(out, entry)
		}
	}
	return out
}

// failing returns the sources whose latest sync failed, as the admin's
// banner reads them, with their reasons.
func (e *env) failing(shopID int64) map[string]string {
	e.t.Helper()
	events, err := e.db.FindFailingSyncs(context.Background(), shopID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, ev := range events {
		var entry syncEntry
		if err := json.Unmarshal([]byte(ev.Detail), &entry); err != nil {
			e.t.Fatal(err)
		}
		out[entry.Source] = entry.Reason
	}
	return out
}

// wantOnBanner checks that the admin's banner (the failing sources)
// shows the source's latest failure, reason.
func (e *env) wantOnBanner(shopID int64, source, reason string) {
	e.t.Helper()
	if got := e.failing(shopID)[source]; got != reason {
		e.t.Fatalf("failing sources (the admin's banner) = %v, want %s's failure %q", e.failing(shopID), source, reason)
	}
}

// wantRefusedRefreshLogged checks that a token refresh Shopify refused
// (invalid_grant) is the source's failure on the admin's banner, and that
// it left the shop installed (only app/uninstalled uninstalls it).
func (e *env) wantRefusedRefreshLogged(shopID int64, source string) {
	e.t.Helper()
	if reason := e.failing(shopID)[source]; !strings.Contains(reason, "refused to refresh") || !strings.Contains(reason, "invalid_grant") {
		e.t.Errorf("sync log reason %q does not name the refused refresh", reason)
	}
	if !e.active(shopID) {
		e.t.Fatal("a refused refresh uninstalled the shop without app/uninstalled")
	}
}

// wantRecovered checks that the source's sync log holds a recovery above
// its one failure, and that no source is failing any more; after says
// what ran.
func (e *env) wantRecovered(shopID int64, source, after string) {
	e.t.Helper()
	if log := e.syncLog(shopID, source); len(log) != 2 || log[0].Kind != stockbell.EventSyncFinished {
		e.t.Fatalf("after %s the sync log = %+v, want the recovery above the failure", after, log)
	}
	if failing := e.failing(shopID); len(failing) != 0 {
		e.t.Fatalf("failing sources after the recovery: %v", failing)
	}
}

// TestCatalogSyncIsLogged: each catalog sync is an entry of the shop's
// sync log, counting the variants read and the products it found gone.
func TestCatalogSyncIsLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.bigCatalog()
		sync := func() {
			t.Helper()
			must(t, e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}))
		}
		sync()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Products = s.Products[1:] })
		sync()
		got := fmt.Sprint(e.syncLog(shop.ID, shopify.CatalogSource))
		if want := "[sync_finished items=57 unpublished=1 sync_finished items=60 unpublished=0]"; got != want {
			t.Fatalf("catalog syncs in the sync log, newest first = %s, want %s", got, want)
		}
		if failing := e.failing(shop.ID); len(failing) != 0 {
			t.Fatalf("failing sources after two good syncs: %v", failing)
		}
	})
}

// refusals are what Shopify answers a shop's access token it no longer
// accepts (the app uninstalled or the token revoked: 401) or a token
// without a scope a query needs (ACCESS_DENIED), each with what the sync
// log's reason must name.
var refusals = []struct {
	name, names string
	refuse      func(s *shopifytest.Shop)
}{
	{"revoked token", "401", func(s *shopifytest.Shop) { s.Token = "rotated" }},
	{"missing scope", "read_inventory", func(s *shopifytest.Shop) { s.Scope = "read_products" }},
}

// TestCatalogSyncRefusalsAreLogged: a catalog sync Shopify refuses ends
// without an error (retrying with the same token cannot help), keeps the
// shop installed, and leaves a failure naming the cause in the sync log,
// which the admin's banner shows while it is the source's latest entry.
func TestCatalogSyncRefusalsAreLogged(t *testing.T) {
	for _, c := range refusals {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				e.stockTShirt()
				e.fake.Do(shopDomain, c.refuse)
				if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
					t.Fatalf("a %s failed the job: %v", c.name, err)
				}
				if s, err := db.FindShopByID(context.Background(), shop.ID); err != nil || !s.Active() || len(s.SealedToken) == 0 {
					t.Fatalf("after a %s the shop = %+v, %v; want installed with its token", c.name, s, err)
				}
				log := e.syncLog(shop.ID, shopify.CatalogSource)
				if len(log) != 1 || log[0].Kind != stockbell.EventSyncFailed || !strings.Contains(log[0].Reason, c.names) {
					t.Fatalf("after a %s the sync log = %+v, want one failure naming %s", c.name, log, c.names)
				}
				if reason := e.failing(shop.ID)[shopify.CatalogSource]; reason != log[0].Reason {
					t.Fatalf("failing sources (the admin's banner) = %v, want the catalog sync's failure", e.failing(shop.ID))
				}
			})
		})
	}
}

// TestReconcileLogsOnlyFailuresAndTheRecovery: the 15-minute stock check
// writes nothing while it reads the shop; a refusal is one entry counting
// the runs that meet it; the run that reads the shop again ends it with
// one entry, and the runs after it write nothing again.
func TestReconcileLogsOnlyFailuresAndTheRecovery(t *testing.T) {
	for _, c := range refusals {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				e.stockTShirt()
				must(t, e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}))
				v, _ := e.variant(shop.ID, smallVariant)
				e.queueSubscriber(shop.ID, v.ID, "ada@example.com")
				var before shopifytest.Shop
				e.fake.Do(shopDomain, func(s *shopifytest.Shop) { before.Token, before.Scope = s.Token, s.Scope })
				reconcile := func(times int) {
					t.Helper()
					for range times {
						must(t, e.in.Reconcile(context.Background(), stockbell.ShopifyReconcileJob{ShopID: shop.ID}))
					}
				}
				reconcile(2)
				if log := e.syncLog(shop.ID, shopify.ReconcileSource); len(log) != 0 {
					t.Fatalf("stock checks that read the shop logged %v, want nothing", log)
				}
				e.fake.Do(shopDomain, c.refuse)
				reconcile(3)
				if reason := e.failing(shop.ID)[shopify.ReconcileSource]; !strings.Contains(reason, c.names) {
					t.Fatalf("failing sources (the admin's banner) = %v, want the stock check's failure naming %s", e.failing(shop.ID), c.names)
				}
				e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token, s.Scope = before.Token, before.Scope })
				reconcile(2)
				got := fmt.Sprint(e.syncLog(shop.ID, shopify.ReconcileSource))
				if want := "[sync_finished items=1 unpublished=0 failed 3]"; got != want {
					t.Fatalf("stock checks in the sync log, newest first = %s, want %s", got, want)
				}
				if failing := e.failing(shop.ID); len(failing) != 0 {
					t.Fatalf("failing sources after the recovery: %v", failing)
				}
			})
		})
	}
}

// TestRefusedTokenReplacedMeanwhile: a 401 for a token the shop no longer
// holds (the app was installed again, with a new token, while the job
// read with the old one) is not the shop's failure: nothing is logged and
// the job is retried, with the new token.
func TestRefusedTokenReplacedMeanwhile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.stockTShirt()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token = "shpat_new_token" })
		reinstalled := false
		e.fake.Answered = func(string) {
			if reinstalled {
				return
			}
			reinstalled = true
			_, err := db.InstallShop(context.Background(), stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: shopDomain,
				Name: shop.Name, Seal: stockbell.SealToken(e.in.Sealer, "shpat_new_token"), Scopes: "read_products,read_inventory"})
			must(t, err)
		}
		err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID})
		if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("err = %v, want the refusal returned for a retry", err)
		}
		if log := e.syncLog(shop.ID, shopify.CatalogSource); len(log) != 0 {
			t.Fatalf("the old token's refusal was logged: %v", log)
		}
		e.fake.Answered = nil
		must(t, e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}))
		if log := e.syncLog(shop.ID, shopify.CatalogSource); len(log) != 1 || log[0].Kind != stockbell.EventSyncFinished {
			t.Fatalf("the retry with the new token logged %v, want one finished sync", log)
		}
	})
}

// TestCatalogSyncStockChangesNameItsSource: the stock changes a catalog
// sync records name it as its sync log entry does (CatalogSource), as the
// stock check's do (ReconcileSource): here a level the sync read older
// than the webhook's stored (its change ignored).
func TestCatalogSyncStockChangesNameItsSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.syncedTShirt()
		var webhookErr error
		e.fake.Answered = func(query string) {
			if strings.Contains(query, "StockbellVariants") && webhookErr == nil {
				// The listing is answered; a newer level arrives before it is applied.
				level := shopifytest.Webhook{Topic: "inventory_levels/update", Body: levelBody(smallItem, warehouse, 5, e.clock.Now().Add(time.Hour))}
				webhookErr = e.trySend(level)
			}
		}
		must(t, e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}))
		must(t, webhookErr)
		kind := stockbell.EventStockChangeIgnored
		events, _, err := e.db.FindEvents(context.Background(), stockbell.EventFilter{ShopID: &shop.ID, Kind: &kind})
		must(t, err)
		if len(events) != 1 {
			t.Fatalf("%d changes ignored, want the sync's older level", len(events))
		}
		var detail struct{ Source string }
		must(t, json.Unmarshal([]byte(events[0].Detail), &detail))
		if detail.Source != shopify.CatalogSource {
			t.Errorf("the sync's change is from %q, want %q: %s", detail.Source, shopify.CatalogSource, events[0].Detail)
		}
	})
}

// TestMissingScopeNamesTheScopesSetting: the sync log's advice for a
// missing scope names the variable the operator set the scopes in:
// SCOPES (the Shopify CLI's name) when the server read them from it,
// SHOPIFY_SCOPES otherwise.
func TestMissingScopeNamesTheScopesSetting(t *testing.T) {
	for setting, want := range map[string]string{"SCOPES": "SCOPES", "SHOPIFY_SCOPES": "SHOPIFY_SCOPES", "": "SHOPIFY_SCOPES"} {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			e.in.Config.ScopesSetting = setting
			e.in.Admin = shopify.NewAdminClient(e.in.Config, e.clock, slog.New(slog.DiscardHandler))
			e.in.Admin.Sleep = e.clock.Sleep
			shop := e.install()
			e.stockTShirt()
			e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Scope = "read_products" })
			must(t, e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}))
			reason := e.failing(shop.ID)[shopify.CatalogSource]
			if !strings.Contains(reason, "and in "+want+",") || (want == "SCOPES" && strings.Contains(reason, "SHOPIFY_SCOPES")) {
				t.Errorf("scopes read from %q: the sync log's advice %q does not name %s alone", setting, reason, want)
			}
		})
	}
}
