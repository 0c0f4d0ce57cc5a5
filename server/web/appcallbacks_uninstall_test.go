package web_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// installBC installs the store through the auth callback and returns it.
func (f *bcFixture) installBC(t *testing.T) *stockbell.Shop {
	t.Helper()
	if status, err := f.tryInstall(); err != nil || status != http.StatusFound {
		t.Fatalf("install answered %d, %v", status, err)
	}
	return f.shop(t)
}

// tryInstall is installBC for another goroutine than the test's.
func (f *bcFixture) tryInstall() (int, error) {
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(f.url + "/auth/bigcommerce/callback?" + f.fake.Authorize(bcStore, bcOwner, "store_v2_products_read_only").Encode())
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (f *bcFixture) shop(t *testing.T) *stockbell.Shop {
	t.Helper()
	shop, err := f.db.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/"+bcStore)
	if err != nil {
		t.Fatal(err)
	}
	return shop
}

// callUninstall calls the uninstall callback as BigCommerce does.
func (f *bcFixture) callUninstall(t *testing.T, query string) page {
	t.Helper()
	return (&adminFixture{url: f.url}).browser(t).do(http.MethodGet, "/auth/bigcommerce/uninstall?"+query, nil)
}

// wantInstalled fails unless the store is installed with the token of
// shop (the same install).
func (f *bcFixture) wantInstalled(t *testing.T, what string, shop *stockbell.Shop) {
	t.Helper()
	if got := f.shop(t); !got.Active() || !bytes.Equal(got.SealedToken, shop.SealedToken) {
		t.Fatalf("%s: the store's install changed: status %s, same token %t", what, got.Status, bytes.Equal(got.SealedToken, shop.SealedToken))
	}
}

func (f *bcFixture) wantUninstalled(t *testing.T, what string) {
	t.Helper()
	if got := f.shop(t); got.Active() || got.SealedToken != nil {
		t.Fatalf("%s: the store is still installed: %+v", what, got)
	}
}

// TestBigCommerceUninstallConfirmedByBigCommerce: the uninstall callback
// uninstalls the store once BigCommerce's API refuses its access token. A
// genuine payload signed while the app is installed, replayed to the
// uninstall callback, changes nothing and is answered as done.
func TestBigCommerceUninstallConfirmedByBigCommerce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		installed := f.installBC(t)
		f.clock.Add(time.Minute)
		if p := f.callUninstall(t, f.jwt(bcOwner)); p.Status != http.StatusOK {
			t.Fatalf("a replayed payload answered %d: %s", p.Status, p.Body)
		}
		f.wantInstalled(t, "a payload replayed while installed", installed)

		f.clock.Add(time.Minute)
		if p := f.callUninstall(t, f.uninstall()); p.Status != http.StatusOK {
			t.Fatalf("uninstall answered %d: %s", p.Status, p.Body)
		}
		f.wantUninstalled(t, "the merchant uninstalled")
	})
}

// TestBigCommerceUninstallIgnoresTheClocks: with BigCommerce's clock a few
// seconds ahead of Stockbell's or behind it, a real uninstall a second
// after an install uninstalls, and its callback captured and replayed a
// second after the next install uninstalls nothing.
func TestBigCommerceUninstallIgnoresTheClocks(t *testing.T) {
	for name, skew := range map[string]time.Duration{"BigCommerce ahead": 8 * time.Second, "BigCommerce behind": -8 * time.Second} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				f := newBCFixture(t, db, false)
				f.fake.Now = func() time.Time { return f.clock.Now().Add(skew) }
				f.installBC(t)
				f.clock.Add(time.Second)
				captured := f.uninstall()
				if p := f.callUninstall(t, captured); p.Status != http.StatusOK {
					t.Fatalf("uninstall answered %d: %s", p.Status, p.Body)
				}
				f.wantUninstalled(t, "uninstalled a second after the install")

				f.clock.Add(time.Second)
				reinstalled := f.installBC(t)
				f.clock.Add(time.Second)
				if p := f.callUninstall(t, captured); p.Status != http.StatusOK {
					t.Fatalf("the captured uninstall answered %d: %s", p.Status, p.Body)
				}
				f.wantInstalled(t, "an uninstall captured before the reinstall", reinstalled)
			})
		})
	}
}

// TestBigCommerceUninstallWhileBigCommerceIsAway: when BigCommerce's API
// cannot confirm the uninstall, the store stays installed and the callback
// is answered with an error; BigCommerce does not call it again, so the
// confirmation is queued, and the job uninstalls the store once the API
// refuses the token.
func TestBigCommerceUninstallWhileBigCommerceIsAway(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		installed := f.installBC(t)
		query := f.uninstall()
		f.fake.SetAPIStatus(http.StatusServiceUnavailable)
		if p := f.callUninstall(t, query); p.Status != http.StatusBadGateway {
			t.Fatalf("uninstall with BigCommerce's API away answered %d, want 502: %s", p.Status, p.Body)
		}
		f.wantInstalled(t, "BigCommerce's API away", installed)
		var queued int
		if err := db.DB.Get(&queued, db.DB.Rebind(`SELECT COUNT(*) FROM river_job WHERE kind = ?`), stockbell.BigCommerceConfirmUninstallJob{}.Kind()); err != nil || queued != 1 {
			t.Fatalf("%d confirmations queued, want 1 (%v)", queued, err)
		}

		job := stockbell.BigCommerceConfirmUninstallJob{ShopID: installed.ID}
		if err := f.in.RetryUninstall(ctx, job); err == nil {
			t.Fatal("the confirmation job succeeded while BigCommerce's API was away")
		}
		f.wantInstalled(t, "the job while BigCommerce's API is away", installed)
		f.fake.SetAPIStatus(0)
		if err := f.in.RetryUninstall(ctx, job); err != nil {
			t.Fatal(err)
		}
		f.wantUninstalled(t, "the job once BigCommerce's API is back")
	})
}

// TestBigCommerceUninstallRacingAReinstall: the merchant installs the app
// again while Stockbell asks BigCommerce about the old token. BigCommerce
// refuses the old token, but the store now holds the new one: the store
// uninstalls only a shop holding the refused token, so the new install
// stays.
func TestBigCommerceUninstallRacingAReinstall(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		old := f.installBC(t)
		query := f.uninstall()
		var raced bool
		var status int
		var installErr error
		f.fake.Answered = func(r *http.Request) {
			if raced || r.URL.Path != "/stores/"+bcStore+"/v2/store" {
				return
			}
			raced = true // BigCommerce answered 401 to the old token: the merchant installs again
			status, installErr = f.tryInstall()
		}
		if p := f.callUninstall(t, query); p.Status != http.StatusOK {
			t.Fatalf("uninstall answered %d: %s", p.Status, p.Body)
		}
		f.fake.Answered = nil
		if !raced || installErr != nil || status != http.StatusFound {
			t.Fatalf("the reinstall during the uninstall: ran %t, answered %d, %v", raced, status, installErr)
		}
		reinstalled := f.shop(t)
		if bytes.Equal(reinstalled.SealedToken, old.SealedToken) {
			t.Fatal("the reinstall kept the old token")
		}
		f.wantInstalled(t, "reinstalled while the uninstall was confirmed", reinstalled)
		if err := db.UninstallShopHolding(ctx, old.ID, old.SealedToken); stockbell.ErrorCode(err) != stockbell.ECONFLICT {
			t.Fatalf("uninstalling the shop holding the refused token: %v, want ECONFLICT", err)
		}
		f.wantInstalled(t, "after UninstallShopHolding with the old token", reinstalled)
	})
}

// TestBigCommerceUninstallTokenRefusedAfterTheCallback: BigCommerce does
// not document that the token is refused by the time the uninstall
// callback comes. A callback whose token is still accepted leaves the
// store installed and asks again later; once BigCommerce refuses the
// token, the store is uninstalled.
func TestBigCommerceUninstallTokenRefusedAfterTheCallback(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		installed := f.installBC(t)
		f.clock.Add(time.Minute)
		if p := f.callUninstall(t, f.jwt(bcOwner)); p.Status != http.StatusOK {
			t.Fatalf("the callback answered %d: %s", p.Status, p.Body)
		}
		f.wantInstalled(t, "a callback whose token is still accepted", installed)
		var scheduled time.Time
		if err := db.DB.Get(&scheduled, db.DB.Rebind(`SELECT scheduled_at FROM river_job WHERE kind = ?`),
			stockbell.BigCommerceConfirmUninstallJob{}.Kind()); err != nil {
			t.Fatalf("no confirmation queued: %v", err)
		}
		if !scheduled.After(f.clock.Now()) {
			t.Fatalf("the confirmation is due at %v, not after the callback (%v)", scheduled, f.clock.Now())
		}

		job := stockbell.BigCommerceConfirmUninstallJob{ShopID: installed.ID}
		if err := f.in.RetryUninstall(ctx, job); err == nil {
			t.Fatal("the confirmation job ended while BigCommerce still accepted the token: it would not ask again")
		}
		f.wantInstalled(t, "the job while the token is accepted", installed)
		f.uninstall() // BigCommerce now refuses the token
		if err := f.in.RetryUninstall(ctx, job); err != nil {
			t.Fatal(err)
		}
		f.wantUninstalled(t, "the job once BigCommerce refuses the token")
	})
}
