package store_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestTokenRenewalWaitingOnThePlatformHoldsUpNoOtherWrite: while a
// renewal waits for the platform's answer, the shop's other writes (a
// settings change here, as a storefront post or a webhook would write)
// are stored; on SQLite a transaction held across the wait would keep
// the single writer from them.
func TestTokenRenewalWaitingOnThePlatformHoldsUpNoOtherWrite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "renew.myshopify.com",
			Seal: fixedSeal("tok1"), Scopes: "read_products"})
		must(t, err)
		asking, answer := make(chan struct{}), make(chan struct{})
		renewed := make(chan error, 1)
		go func() {
			_, err := db.RenewShopToken(ctx, shop.ID, func(*stockbell.Shop) (*stockbell.ShopTokenRenewal, error) {
				close(asking)
				<-answer // the platform's answer, not yet come
				return &stockbell.ShopTokenRenewal{SealedToken: []byte("tok2"), SealedRefreshToken: []byte("refresh2")}, nil
			})
			renewed <- err
		}()
		<-asking
		minimum := 7
		stored := make(chan error, 1)
		go func() {
			_, err := db.UpdateSettings(ctx, shop.ID, stockbell.SettingsUpdate{MinInventory: &minimum})
			stored <- err
		}()
		select {
		case err := <-stored:
			must(t, err)
		case <-time.After(30 * time.Second):
			t.Fatal("a settings change waited for the token renewal's platform answer")
		}
		close(answer)
		must(t, <-renewed)
		got, err := db.FindShopByID(ctx, shop.ID)
		must(t, err)
		if string(got.SealedToken) != "tok2" || string(got.SealedRefreshToken) != "refresh2" {
			t.Fatalf("renewed shop holds %q/%q, want tok2/refresh2", got.SealedToken, got.SealedRefreshToken)
		}
	})
}

// TestTokenRenewalKeepsAReinstallsToken: a shop installed again while a
// renewal of its old token waited for the platform keeps the new
// install's token, never the renewal of the old one (on SQLite the
// reinstall is stored meanwhile; on PostgreSQL it waits for the renewal's
// row lock and is stored after it).
func TestTokenRenewalKeepsAReinstallsToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		install := stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "reinstall.myshopify.com",
			Seal: fixedSeal("old"), Scopes: "read_products"}
		shop, err := db.InstallShop(ctx, install)
		must(t, err)
		reinstalled := make(chan error, 1)
		_, err = db.RenewShopToken(ctx, shop.ID, func(*stockbell.Shop) (*stockbell.ShopTokenRenewal, error) {
			again := install
			again.Seal = fixedSeal("reinstalled")
			go func() {
				_, err := db.InstallShop(ctx, again)
				reinstalled <- err
			}()
			if db.Dialect != store.Postgres { // SQLite renews outside any transaction: the reinstall is stored now
				err := <-reinstalled
				reinstalled <- err
			} // PostgreSQL: the reinstall waits for this renewal's row lock
			return &stockbell.ShopTokenRenewal{SealedToken: []byte("renewed-old"), SealedRefreshToken: []byte("refresh")}, nil
		})
		must(t, err)
		must(t, <-reinstalled)
		got, err := db.FindShopByID(ctx, shop.ID)
		must(t, err)
		if string(got.SealedToken) != "reinstalled" {
			t.Fatalf("the shop holds %q, want the reinstall's token", got.SealedToken)
		}
	})
}
