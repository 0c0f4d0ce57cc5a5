package shopify_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// These tests play Shopify's expiring offline tokens on the fake: an
// access token lives an hour, its refresh token 90 days; a refresh
// rotates both. The fake refuses non-expiring tokens, as Shopify does
// from January 1, 2027, unless a test says otherwise.

// fakeTokens is the fake shop's token state.
func (e *env) fakeTokens() shopifytest.Shop {
	var out shopifytest.Shop
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) { out = *s })
	return out
}

// stored returns the shop as stored with its opened access and refresh tokens.
func (e *env) stored(shopID int64) (shop *stockbell.Shop, token, refresh string) {
	e.t.Helper()
	shop, err := e.db.FindShopByID(context.Background(), shopID)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(shop.SealedToken) > 0 {
		b, err := e.in.Sealer.Open(shop.ID, shop.SealedToken)
		if err != nil {
			e.t.Fatal(err)
		}
		token = string(b)
	}
	if len(shop.SealedRefreshToken) > 0 {
		b, err := e.in.Sealer.Open(shop.ID, shop.SealedRefreshToken)
		if err != nil {
			e.t.Fatal(err)
		}
		refresh = string(b)
	}
	return shop, token, refresh
}

// wantStoredPair fails unless the store holds the fake's current pair.
func (e *env) wantStoredPair(shopID int64) {
	e.t.Helper()
	_, token, refresh := e.stored(shopID)
	fake := e.fakeTokens()
	if token != fake.Token || refresh != fake.RefreshToken || refresh == "" {
		e.t.Fatalf("the store holds another pair than Shopify issued last (token %v, refresh %v, refresh empty %v)",
			token == fake.Token, refresh == fake.RefreshToken, refresh == "")
	}
}

// wantPairInUse fails unless the store holds the fake's current pair and,
// with Shopify refusing non-expiring tokens from now on, a catalog sync
// reads the T-shirt (stocked in the fake when it is not yet) with it.
func (e *env) wantPairInUse(shopID int64) {
	e.t.Helper()
	e.wantStoredPair(shopID)
	e.fake.RefuseNonExpiring = true
	if len(e.fakeTokens().Products) == 0 {
		e.stockTShirt()
	}
	e.mustRead(shopID)
}

// mustRead runs a catalog sync and fails unless it read the catalog:
// a sync Shopify refuses ends without an error, its refusal in the sync log.
func (e *env) mustRead(shopID int64) {
	e.t.Helper()
	e.sync(shopID)
	if failing := e.failing(shopID); len(failing) != 0 {
		e.t.Fatalf("the catalog sync failed: %v", failing)
	}
	e.variant(shopID, smallVariant)
}

// TestInstallStoresExpiringToken: both install grants ask for an expiring
// token and store it sealed with its refresh token and their expiries,
// counted by Stockbell's clock from the answer's arrival.
func TestInstallStoresExpiringToken(t *testing.T) {
	for name, install := range map[string]func(e *env) *stockbell.Shop{
		"authorization code": (*env).installByOAuth,
		"token exchange":     (*env).installBySessionToken,
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				e.fake.RefuseNonExpiring = true
				shop, _, _ := e.stored(install(e).ID)
				e.wantStoredPair(shop.ID)
				now := e.clock.Now()
				if shop.TokenExpiresAt == nil || !shop.TokenExpiresAt.Equal(now.Add(time.Hour)) {
					t.Errorf("token expires at %v, want an hour from %v", shop.TokenExpiresAt, now)
				}
				if shop.RefreshTokenExpiresAt == nil || !shop.RefreshTokenExpiresAt.Equal(now.Add(90*24*time.Hour)) {
					t.Errorf("refresh token expires at %v, want 90 days from %v", shop.RefreshTokenExpiresAt, now)
				}
				e.wantPairInUse(shop.ID)
			})
		})
	}
}

// TestExpiredTokenIsRefreshedBeforeTheCall: a token that has expired, or
// expires within five minutes, is refreshed before the Admin API call,
// which then succeeds; the new pair is stored.
func TestExpiredTokenIsRefreshedBeforeTheCall(t *testing.T) {
	for name, after := range map[string]time.Duration{"expired": 2 * time.Hour, "expiring within 5 minutes": 56 * time.Minute} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				e.fake.RefuseNonExpiring = true
				shop := e.installByOAuth()
				e.stockTShirt()
				e.clock.Advance(after)
				e.mustRead(shop.ID)
				if got := e.fakeTokens(); got.Refreshes != 1 || got.RefusedRefreshes != 0 {
					t.Errorf("refreshes %d, refused %d; want 1, 0", got.Refreshes, got.RefusedRefreshes)
				}
				e.wantStoredPair(shop.ID)
			})
		})
	}
}

// Test401RefreshesOnceAndRetriesOnce: Shopify refusing a token Stockbell
// believes valid has it refreshed and the call retried, once: when the
// retry is refused too, the job stops with the refusal in the sync log
// instead of refreshing again.
func Test401RefreshesOnceAndRetriesOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installByOAuth()
		e.stockTShirt()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.TokenExpiresAt = e.clock.Now().Add(-time.Second) })
		e.mustRead(shop.ID)
		if got := e.fakeTokens(); got.Refreshes != 1 {
			t.Fatalf("a refused token was refreshed %d times, want 1", got.Refreshes)
		}
		e.wantStoredPair(shop.ID)

		calls := 0
		e.fake.Answered = func(string) { calls++ }
		e.fake.AdminStatus = 401
		if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatalf("a refused token's job failed instead of stopping: %v", err)
		}
		if got := e.fakeTokens(); got.Refreshes != 2 || calls != 2 {
			t.Errorf("after refusals: %d refreshes in all and %d calls; want one more refresh and 2 calls (the call and its retry)", got.Refreshes, calls)
		}
		if !strings.Contains(e.failing(shop.ID)[shopify.CatalogSource], "refused the shop's access token") {
			t.Errorf("the refusal is not in the sync log: %v", e.failing(shop.ID))
		}
	})
}

// TestConcurrentRefreshesRefreshOnce: two replicas (two store handles,
// each with its own token renewer) refreshing the same expired token at
// once make one refresh: the second waits for the shop's row, sees the
// new token and uses it. No refresh is refused and the store holds the
// pair Shopify issued last.
func TestConcurrentRefreshesRefreshOnce(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			db, dbURL := storetest.OpenURL(t, dialect)
			e := newEnv(t, db)
			shop := e.installByOAuth()
			conn, err := store.Connect(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close() })
			other := store.New(conn, db.Queue)
			other.Clock = e.clock
			replica := oauth.NewShopify(e.in.Config, other, e.in.Sealer, e.clock, slog.New(slog.DiscardHandler))
			e.clock.Advance(2 * time.Hour)

			var wg sync.WaitGroup
			results := make([]*stockbell.Shop, 4)
			errs := make([]error, 4)
			for i := range results {
				tokens := stockbell.ShopifyTokens(e.tokens)
				if i%2 == 1 {
					tokens = replica
				}
				wg.Go(func() { results[i], errs[i] = tokens.RefreshShopToken(context.Background(), shop) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("refresh %d: %v", i, err)
				}
				if string(results[i].SealedToken) != string(results[0].SealedToken) {
					t.Errorf("refresh %d answered another token than refresh 0", i)
				}
			}
			if got := e.fakeTokens(); got.Refreshes != 1 || got.RefusedRefreshes != 0 {
				t.Errorf("refreshes %d, refused %d; want 1, 0", got.Refreshes, got.RefusedRefreshes)
			}
			e.wantPairInUse(shop.ID)
		})
	}
}

// TestRefusedRefreshIsARefusedToken: Shopify refusing the refresh (the
// refresh token revoked or expired) is handled as a refused token: the job
// stops with the refusal in the sync log and the shop stays installed
// until app/uninstalled, confirmed with Shopify (whose refresh is refused
// too), uninstalls it.
func TestRefusedRefreshIsARefusedToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installByOAuth()
		e.stockTShirt()
		e.clock.Advance(2 * time.Hour)
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.RefreshToken, s.PreviousRefreshToken = "revoked", "" })
		if err := e.in.SyncCatalog(context.Background(), stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}); err != nil {
			t.Fatalf("a refused refresh failed the job instead of stopping it: %v", err)
		}
		e.wantRefusedRefreshLogged(shop.ID, shopify.CatalogSource)
		e.fake.UninstallApp(shopDomain)
		e.uninstalledAt(e.clock.Now())
		if e.active(shop.ID) {
			t.Fatal("app/uninstalled confirmed by a refused refresh left the shop installed")
		}
		if stored, _, _ := e.stored(shop.ID); stored.SealedRefreshToken != nil || stored.TokenExpiresAt != nil || stored.RefreshTokenExpiresAt != nil {
			t.Error("the uninstalled shop keeps its refresh token or expiries")
		}
	})
}

// TestNonExpiringTokenIsMigrated: a shop installed with a non-expiring
// token is found by the periodic job and its token exchanged for an
// expiring pair; it then works with Shopify refusing non-expiring tokens.
// A refused exchange is in the shop's sync log.
func TestNonExpiringTokenIsMigrated(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		shop := e.install()
		e.stockTShirt()
		if err := e.in.MigrateToken(ctx, stockbell.ShopifyTokenMigrationJob{}); err != nil {
			t.Fatal(err)
		}
		kind := stockbell.ShopifyTokenMigrationJob{}.Kind()
		if n := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = ?`, kind); n != 1 {
			t.Fatalf("the periodic job queued %d migrations of the shop, want 1", n)
		}
		if err := e.in.MigrateToken(ctx, stockbell.ShopifyTokenMigrationJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		if got := e.fakeTokens(); got.Migrations != 1 {
			t.Fatalf("migrations %d, want 1", got.Migrations)
		}
		e.wantPairInUse(shop.ID)

		if err := e.in.MigrateToken(ctx, stockbell.ShopifyTokenMigrationJob{}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = ?`, kind); n != 1 {
			t.Errorf("a shop with an expiring token was queued for migration again (%d jobs)", n)
		}
	})
}

// TestRefusedMigrationIsInTheSyncLog: Shopify refusing the exchange of a
// non-expiring token is recorded in the shop's sync log as its other
// refusals are, and the job is not retried.
func TestRefusedMigrationIsInTheSyncLog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.install()
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token = "shpat_revoked" })
		if err := e.in.MigrateToken(context.Background(), stockbell.ShopifyTokenMigrationJob{ShopID: shop.ID}); err != nil {
			t.Fatalf("a refused exchange failed the job instead of stopping it: %v", err)
		}
		if reason := e.failing(shop.ID)[shopify.TokenSource]; !strings.Contains(reason, "refused to exchange") {
			t.Errorf("sync log reason %q does not name the refused exchange", reason)
		}
		if stored, _, _ := e.stored(shop.ID); stored.TokenExpiring() || !stored.Active() {
			t.Error("a refused exchange changed the shop")
		}
	})
}

// TestOpeningTheAppMigratesANonExpiringToken: the embedded app's session
// request for an installed shop holding a non-expiring token has it
// exchanged for an expiring pair (the shop is not installed again). With
// Shopify's token endpoint away, the app opens as before and the
// migration job tries again later.
func TestOpeningTheAppMigratesANonExpiringToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		token := "shpat_non_expiring"
		e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token, s.Scope = token, e.fake.AppScopes })
		shop, err := e.db.InstallShop(context.Background(), stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: shopDomain,
			Seal: stockbell.SealToken(e.in.Sealer, token), Scopes: e.fake.AppScopes})
		if err != nil {
			t.Fatal(err)
		}
		e.fake.TokenStatus = 503
		got, installed, err := e.installFlow().InstallFromSessionToken(context.Background(), e.fake.SessionToken(shopDomain, e.fake.Secret))
		if err != nil || installed || got.ID != shop.ID || got.TokenExpiring() {
			t.Fatalf("with Shopify's token endpoint away, the app did not open as before: installed %v, %v", installed, err)
		}
		e.fake.TokenStatus = 0
		got, installed, err = e.installFlow().InstallFromSessionToken(context.Background(), e.fake.SessionToken(shopDomain, e.fake.Secret))
		if err != nil || installed || got.ID != shop.ID {
			t.Fatalf("session: installed %v, %v", installed, err)
		}
		if e.fakeTokens().Migrations != 1 {
			t.Fatal("the non-expiring token was not exchanged")
		}
		e.wantPairInUse(shop.ID)
	})
}

// TestUninstallConfirmedWithARefreshedToken: app/uninstalled is confirmed
// with Shopify; when the shop's token is refreshed on the way and Shopify
// then refuses the new one, the shop is uninstalled (it holds the token
// Shopify refused, the refreshed one).
func TestUninstallConfirmedWithARefreshedToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installByOAuth()
		e.clock.Advance(2 * time.Hour)
		e.fake.AdminStatus = 401
		e.uninstalledAt(e.clock.Now())
		if e.fakeTokens().Refreshes != 1 {
			t.Fatal("the expired token was not refreshed to ask Shopify")
		}
		if e.active(shop.ID) {
			t.Fatal("Shopify refusing the refreshed token left the shop installed")
		}
	})
}

// TestUnusedRefreshTokenIsRenewed: a shop whose token no call needed for
// two months (nobody waiting, nothing to confirm) has it refreshed by the
// periodic job before its refresh token expires, 90 days after issue; a
// refresh token far from expiry is left alone.
func TestUnusedRefreshTokenIsRenewed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		shop := e.installByOAuth()
		kind := stockbell.ShopifyTokenMigrationJob{}.Kind()
		if err := e.in.MigrateToken(ctx, stockbell.ShopifyTokenMigrationJob{}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = ?`, kind); n != 0 {
			t.Fatalf("a fresh refresh token was queued for renewal (%d jobs)", n)
		}
		e.clock.Advance(61 * 24 * time.Hour)
		if err := e.in.MigrateToken(ctx, stockbell.ShopifyTokenMigrationJob{}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT COUNT(*) FROM river_job WHERE kind = ?`, kind); n != 1 {
			t.Fatalf("a refresh token expiring within 30 days was not queued for renewal (%d jobs)", n)
		}
		if err := e.in.MigrateToken(ctx, stockbell.ShopifyTokenMigrationJob{ShopID: shop.ID}); err != nil {
			t.Fatal(err)
		}
		if e.fakeTokens().Refreshes != 1 {
			t.Fatal("the refresh token was not renewed")
		}
		e.clock.Advance(60 * 24 * time.Hour)
		e.wantPairInUse(shop.ID)
	})
}
