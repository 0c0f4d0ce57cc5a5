package oauth_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

const bcHash = "z9y8x7"

var ctx = context.Background()

var (
	bcOwner = bigcommercetest.User{ID: 9128, Email: "owner@bells.example"}
	bcClerk = bigcommercetest.User{ID: 77, Email: "clerk@bells.example"}
)

type bcEnv struct {
	t     *testing.T
	db    *store.DB
	fake  *bigcommercetest.Fake
	clock *bigcommercetest.Clock
	steps *oauth.BigCommerce
}

func newBCEnv(t *testing.T, db *store.DB) *bcEnv {
	clock := bigcommercetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	db.Clock = clock
	fake := bigcommercetest.New()
	fake.Now = clock.Now
	t.Cleanup(fake.Close)
	sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("s"), 32))
	cfg := stockbell.BigCommerceConfig{ClientID: fake.ClientID, ClientSecret: fake.ClientSecret, LoginURL: fake.URL(),
		APIURL: fake.URL(), AppURL: "https://app.example"}
	logger := slog.New(slog.DiscardHandler)
	jobs := db.Queue.(stockbell.JobInserter)
	in := &bigcommerce.Integration{Config: cfg, Shops: db, Sealer: sealer, Jobs: jobs,
		Client: bigcommerce.NewClient(cfg.APIURL, clock, logger), Clock: clock, Logger: logger}
	steps := oauth.NewBigCommerce(cfg, db, db, sealer, in, jobs, clock, logger)
	return &bcEnv{t: t, db: db, fake: fake, clock: clock, steps: steps}
}

func (e *bcEnv) install() *stockbell.Shop {
	e.t.Helper()
	shop, user, err := e.steps.Install(ctx, e.fake.Authorize(bcHash, bcOwner, "store_v2_products_read_only store_v2_orders_read_only"))
	if err != nil {
		e.t.Fatal(err)
	}
	if user.UserID != "9128" || !user.Owner || user.Email != bcOwner.Email {
		e.t.Fatalf("installing user = %+v", user)
	}
	return shop
}

func jwtQuery(token string) url.Values { return url.Values{"signed_payload_jwt": {token}} }

// unsignedJWT is claims as a JWT of algorithm "none".
func unsignedJWT(claims jwt.MapClaims) string {
	token, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		panic(err)
	}
	return token
}

func TestBigCommerceInstall(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newBCEnv(t, db)
		shop := e.install()
		if shop.Platform != stockbell.PlatformBigCommerce || shop.Domain != "stores/"+bcHash || !shop.Active() {
			t.Fatalf("shop = %+v", shop)
		}
		token, err := e.steps.Sealer.Open(shop.ID, shop.SealedToken)
		if err != nil || string(token) != e.fake.Token(bcHash) || bytes.Contains(shop.SealedToken, token) {
			t.Fatalf("stored token does not open to the granted one: %v", err)
		}
		for _, kind := range []string{"bigcommerce_register_hooks", "bigcommerce_catalog_sync"} {
			var n int
			must(t, db.DB.Get(&n, db.DB.Rebind(`SELECT COUNT(*) FROM river_job WHERE kind = ?`), kind))
			if n != 1 {
				t.Errorf("%d %s jobs, want 1", n, kind)
			}
		}
		// The code works once.
		query := e.fake.Authorize(bcHash, bcOwner, "store_v2_products_read_only")
		_, _, err = e.steps.Install(ctx, query)
		must(t, err)
		_, _, err = e.steps.Install(ctx, query)
		if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("a spent code: %v", err)
		}
		for _, bad := range []url.Values{
			{"code": {"x"}, "context": {"stores/NOT A HASH"}},
			{"context": {"stores/" + bcHash}},
		} {
			if _, _, err := e.steps.Install(ctx, bad); stockbell.ErrorCode(err) != stockbell.EINVALID {
				t.Errorf("callback %v: %v", bad, err)
			}
		}
		// A code issued for another store does not install this one.
		other := e.fake.Authorize("other1", bcOwner, "store_v2_products_read_only")
		other.Set("context", "stores/"+bcHash)
		if _, _, err := e.steps.Install(ctx, other); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("a code for another store: %v", err)
		}
	})
}

// TestBigCommerceSignedPayloads verifies the JWT and the legacy payload
// exactly as BigCommerce signs them, and refuses every forgery.
func TestBigCommerceSignedPayloads(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newBCEnv(t, db)
		e.install()
		p, err := e.steps.VerifySignedPayload(jwtQuery(e.fake.SignedPayloadJWT(bcHash, bcClerk)))
		must(t, err)
		if p.Context != "stores/"+bcHash || p.User.ID != "77" || p.User.Email != bcClerk.Email || p.Owner.ID != "9128" || p.IssuedAt.IsZero() {
			t.Fatalf("payload = %+v", p)
		}
		legacy, err := e.steps.VerifySignedPayload(url.Values{"signed_payload": {e.fake.LegacySignedPayload(bcHash, bcClerk)}})
		must(t, err)
		if legacy.Context != p.Context || legacy.User.ID != "77" || legacy.User.Email != bcClerk.Email || legacy.Owner.ID != "9128" {
			t.Fatalf("legacy payload = %+v", legacy)
		}
		claims := func(edit func(jwt.MapClaims)) string {
			c := e.fake.Claims(bcHash, bcClerk)
			edit(c)
			return bigcommercetest.SignJWT(c, e.fake.ClientSecret)
		}
		// Each refusal names what is wrong, in words the merchant's page shows.
		for name, c := range map[string]struct{ token, words string }{
			"wrong secret":   {bigcommercetest.SignJWT(e.fake.Claims(bcHash, bcClerk), "not-the-secret"), "not signed with this app's client secret"},
			"wrong audience": {claims(func(c jwt.MapClaims) { c["aud"] = "another-app" }), "made for another app"},
			"no audience":    {claims(func(c jwt.MapClaims) { delete(c, "aud") }), "made for another app"},
			"wrong issuer":   {claims(func(c jwt.MapClaims) { c["iss"] = "shopify" }), "not issued by BigCommerce"},
			"no store":       {claims(func(c jwt.MapClaims) { c["sub"] = "users/1" }), "names no store"},
			"no expiry":      {claims(func(c jwt.MapClaims) { delete(c, "exp") }), "has no expiry"},
			"expired":        {bigcommercetest.SignJWT(e.fake.Expired(bcHash, bcClerk), e.fake.ClientSecret), "has expired"},
			"not yet valid":  {claims(func(c jwt.MapClaims) { c["nbf"] = e.clock.Now().Add(time.Hour).Unix() }), "not valid yet"},
			"unsigned":       {unsignedJWT(e.fake.Claims(bcHash, bcClerk)), "not signed with this app's client secret"},
			"garbage":        {"a.b.c", "is not a signed payload"},
		} {
			_, err := e.steps.VerifySignedPayload(jwtQuery(c.token))
			if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED || !strings.Contains(stockbell.ErrorMessage(err), c.words) {
				t.Errorf("%s: %v, want a refusal saying %q", name, err, c.words)
			}
		}
		good := e.fake.LegacyPayload(bcHash, bcClerk)
		for name, raw := range map[string]string{
			"legacy wrong secret": bigcommercetest.SignLegacy(good, "not-the-secret"),
			"legacy tampered":     strings.Replace(bigcommercetest.SignLegacy(good, e.fake.ClientSecret), "=", "", 1) + "x",
			"legacy no signature": strings.Split(bigcommercetest.SignLegacy(good, e.fake.ClientSecret), ".")[0],
		} {
			if _, err := e.steps.VerifySignedPayload(url.Values{"signed_payload": {raw}}); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
				t.Errorf("%s: %v", name, err)
			}
		}
		e.clock.Advance(25 * time.Hour)
		if _, err := e.steps.VerifySignedPayload(url.Values{"signed_payload": {bigcommercetest.SignLegacy(good, e.fake.ClientSecret)}}); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Errorf("an old legacy payload: %v", err)
		}
		if _, err := e.steps.VerifySignedPayload(url.Values{}); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Errorf("no payload: %v", err)
		}
	})
}

// TestBigCommerceLoadUninstallRemoveUser: load grants the user opening
// the app; remove_user takes it back (a replayed load signed before stays
// refused); uninstall stops all sending and erases the token; a bad
// payload changes nothing.
func TestBigCommerceLoadUninstallRemoveUser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newBCEnv(t, db)
		shop := e.install()
		clerkLoad := jwtQuery(e.fake.SignedPayloadJWT(bcHash, bcClerk))
		loaded, user, page, err := e.steps.Load(ctx, clerkLoad)
		must(t, err)
		if loaded.ID != shop.ID || user.UserID != "77" || user.Owner || page != "/" {
			t.Fatalf("load = %+v %+v, page %q", loaded, user, page)
		}
		e.clock.Advance(time.Minute)
		_, err = e.steps.RemoveUser(ctx, jwtQuery(e.fake.SignedPayloadJWT(bcHash, bcClerk)))
		must(t, err)
		if _, err := db.FindShopUser(ctx, shop.ID, "77"); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("removed user still has access: %v", err)
		}
		if _, _, _, err := e.steps.Load(ctx, clerkLoad); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("a replayed load of a removed user: %v", err)
		}
		e.clock.Advance(time.Minute)
		if _, _, _, err := e.steps.Load(ctx, jwtQuery(e.fake.SignedPayloadJWT(bcHash, bcClerk))); err != nil {
			t.Fatalf("a user granted again after removal: %v", err)
		}

		// A forged uninstall changes nothing.
		forged := bigcommercetest.SignJWT(e.fake.Claims(bcHash, bcOwner), "forged")
		if _, err := e.steps.Uninstall(ctx, jwtQuery(forged)); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("forged uninstall: %v", err)
		}
		if got, _ := db.FindShopByID(ctx, shop.ID); !got.Active() || len(got.SealedToken) == 0 {
			t.Fatal("a forged uninstall changed the shop")
		}
		// A genuine payload while installed (BigCommerce accepts the token) changes nothing.
		_, err = e.steps.Uninstall(ctx, jwtQuery(e.fake.SignedPayloadJWT(bcHash, bcOwner)))
		must(t, err)
		if got, _ := db.FindShopByID(ctx, shop.ID); !got.Active() || len(got.SealedToken) == 0 {
			t.Fatal("an uninstall callback BigCommerce did not make changed the shop")
		}
		_, err = e.steps.Uninstall(ctx, jwtQuery(e.fake.Uninstall(bcHash, bcOwner)))
		must(t, err)
		got, err := db.FindShopByID(ctx, shop.ID)
		must(t, err)
		if got.Active() || got.SealedToken != nil {
			t.Fatalf("after uninstall: %+v", got)
		}
		if _, _, _, err := e.steps.Load(ctx, jwtQuery(e.fake.SignedPayloadJWT(bcHash, bcOwner))); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("load of an uninstalled store: %v", err)
		}
		if _, _, _, err := e.steps.Load(ctx, jwtQuery(e.fake.SignedPayloadJWT("never1", bcOwner))); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("load of a store never installed: %v", err)
		}
	})
}

// TestBigCommerceRemovedUserAcrossSkewedClocks: whether a load was signed
// before a user's removal is judged by BigCommerce's clock alone, however
// far Stockbell's is from it (ahead within the leeway a payload's times
// get, or minutes behind): a load signed before the removal stays refused,
// one signed after grants access again.
func TestBigCommerceRemovedUserAcrossSkewedClocks(t *testing.T) {
	for _, c := range []struct{ skew, loadToRemoval time.Duration }{
		{skew: 4 * time.Second, loadToRemoval: 2 * time.Second},
		{skew: -2 * time.Minute, loadToRemoval: time.Minute},
	} {
		t.Run("bigcommerce "+c.skew.String(), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newBCEnv(t, db)
				e.fake.Now = func() time.Time { return e.clock.Now().Add(c.skew) }
				shop := e.install()
				clerkLoad := jwtQuery(e.fake.SignedPayloadJWT(bcHash, bcClerk))
				_, _, _, err := e.steps.Load(ctx, clerkLoad)
				must(t, err)
				e.clock.Advance(c.loadToRemoval)
				_, err = e.steps.RemoveUser(ctx, jwtQuery(e.fake.SignedPayloadJWT(bcHash, bcClerk)))
				must(t, err)
				if _, _, _, err := e.steps.Load(ctx, clerkLoad); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
					t.Fatalf("a load signed before the removal: %v", err)
				}
				if _, err := db.FindShopUser(ctx, shop.ID, "77"); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
					t.Fatalf("removed user has access again: %v", err)
				}
				e.clock.Advance(time.Minute)
				if _, _, _, err := e.steps.Load(ctx, jwtQuery(e.fake.SignedPayloadJWT(bcHash, bcClerk))); err != nil {
					t.Fatalf("a load signed after the removal: %v", err)
				}
			})
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
