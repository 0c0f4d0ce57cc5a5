package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

const bcStore = "q1w2e3"

var ctx = context.Background()

var (
	bcOwner = bigcommercetest.User{ID: 9128, Email: "owner@bells.example"}
	bcClerk = bigcommercetest.User{ID: 77, Email: "clerk@bells.example"}
)

// bcFixture serves the BigCommerce callbacks and the admin on a real
// store, with the install steps talking to the loopback BigCommerce.
type bcFixture struct {
	db    *store.DB
	fake  *bigcommercetest.Fake
	clock *storetest.Clock
	in    *bigcommerce.Integration
	url   string
}

func newBCFixture(t *testing.T, db *store.DB, secure bool) *bcFixture {
	t.Helper()
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	db.Clock = clock
	fake := bigcommercetest.New()
	fake.Now = clock.Now
	t.Cleanup(fake.Close)
	logger := slog.New(slog.DiscardHandler)
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	signer, err := delivery.NewSigner(testSessionKey)
	if err != nil {
		t.Fatal(err)
	}
	renderer := delivery.NewTemplates(delivery.NewLinks("http://localhost", signer), delivery.StopNorthAmerica)
	admin, err := web.NewAdmin(web.AdminDeps{Shops: db, Settings: db, Flows: db, Activity: db, Subscriptions: db, Subscribers: db, SyncLog: db, Renderer: renderer,
		Events: db, Messages: db, Catalog: db, SignInLinks: db, ShopUsers: db, Clock: clock, Logger: logger},
		web.AdminOptions{SessionKey: testSessionKey, SecureCookies: secure, PublicURL: "http://localhost"})
	if err != nil {
		t.Fatal(err)
	}
	admin.Register(server)
	sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("s"), 32))
	cfg := stockbell.BigCommerceConfig{ClientID: fake.ClientID, ClientSecret: fake.ClientSecret, LoginURL: fake.URL(),
		APIURL: fake.URL(), AppURL: "https://app.example"}
	jobs := db.Queue.(stockbell.JobInserter)
	in := &bigcommerce.Integration{Config: cfg, Shops: db, Catalog: db, Secrets: db, Conversions: db, SyncLog: db, Jobs: jobs,
		Sealer: sealer, Client: bigcommerce.NewClient(cfg.APIURL, clock, logger), Clock: clock, Logger: logger}
	server.RegisterAppCallbacks(stockbell.PlatformBigCommerce, oauth.NewBigCommerce(cfg, db, db, sealer, in, jobs, clock, logger), admin)
	ts := httptest.NewServer(server.Handler())
	t.Cleanup(ts.Close)
	return &bcFixture{db: db, fake: fake, clock: clock, in: in, url: ts.URL}
}

// ownerInstalls installs the app as the store's owner does, in a browser
// of its own, and returns that browser, signed in.
func (f *bcFixture) ownerInstalls(t *testing.T) *browser {
	t.Helper()
	owner := (&adminFixture{url: f.url}).browser(t)
	if p := owner.do(http.MethodGet, "/auth/bigcommerce/callback?"+f.fake.Authorize(bcStore, bcOwner, "store_v2_products_read_only").Encode(), nil); p.Status != http.StatusFound {
		t.Fatalf("install answered %d: %s", p.Status, p.Body)
	}
	return owner
}

// clerkLoads opens the installed app as the store's second user does from
// the control panel, in a browser of its own, and returns that browser,
// signed in.
func (f *bcFixture) clerkLoads(t *testing.T) *browser {
	t.Helper()
	clerk := (&adminFixture{url: f.url}).browser(t)
	if p := clerk.do(http.MethodGet, "/auth/bigcommerce/load?"+f.jwt(bcClerk), nil); p.Status != http.StatusFound {
		t.Fatalf("the clerk's load answered %d: %s", p.Status, p.Body)
	}
	return clerk
}

func (f *bcFixture) jwt(user bigcommercetest.User) string {
	return url.Values{"signed_payload_jwt": {f.fake.SignedPayloadJWT(bcStore, user)}}.Encode()
}

// uninstall plays the owner uninstalling the app: BigCommerce revokes the
// token and signs the uninstall callback's payload, returned as its query.
func (f *bcFixture) uninstall() string {
	return url.Values{"signed_payload_jwt": {f.fake.Uninstall(bcStore, bcOwner)}}.Encode()
}

func TestBigCommerceCallbacksOpenTheAdmin(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		owner := (&adminFixture{url: f.url}).browser(t)
		p := owner.do(http.MethodGet, "/auth/bigcommerce/callback?"+f.fake.Authorize(bcStore, bcOwner, "store_v2_products_read_only").Encode(), nil)
		if p.Status != http.StatusFound || p.Header.Get("Location") != "/admin" {
			t.Fatalf("install answered %d to %q: %s", p.Status, p.Header.Get("Location"), p.Body)
		}
		shop, err := db.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/"+bcStore)
		if err != nil || !shop.Active() {
			t.Fatalf("installed shop = %+v, %v", shop, err)
		}
		if home := owner.do(http.MethodGet, "/admin", nil); home.Status != http.StatusOK || !strings.Contains(home.Body, "owner@bells.example") {
			t.Fatalf("the admin after install answered %d", home.Status)
		}

		// A user the owner granted the app opens it from the control panel.
		clerk := (&adminFixture{url: f.url}).browser(t)
		p = clerk.do(http.MethodGet, "/auth/bigcommerce/load?"+f.jwt(bcClerk), nil)
		if p.Status != http.StatusFound || p.Header.Get("Location") != "/admin" {
			t.Fatalf("load answered %d to %q: %s", p.Status, p.Header.Get("Location"), p.Body)
		}
		home := clerk.do(http.MethodGet, "/admin", nil)
		if home.Status != http.StatusOK || !strings.Contains(home.Body, "clerk@bells.example") {
			t.Fatalf("the admin after load answered %d", home.Status)
		}
		if csp := home.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://store-"+bcStore+".mybigcommerce.com https://*.bigcommerce.com") {
			t.Fatalf("the control panel may not frame the admin: %s", csp)
		}

		// Forged and expired payloads: 401, no session, nothing changed.
		stranger := (&adminFixture{url: f.url}).browser(t)
		forged := url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(f.fake.Claims(bcStore, bcClerk), "forged")}}.Encode()
		expired := url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(f.fake.Expired(bcStore, bcClerk), f.fake.ClientSecret)}}.Encode()
		for _, path := range []string{"/auth/bigcommerce/load?" + forged, "/auth/bigcommerce/load?" + expired,
			"/auth/bigcommerce/uninstall?" + forged, "/auth/bigcommerce/remove_user?" + expired, "/auth/bigcommerce/load"} {
			if p := stranger.do(http.MethodGet, path, nil); p.Status != http.StatusUnauthorized || p.Header.Get("Set-Cookie") != "" {
				t.Errorf("%s answered %d, cookie %q", path[:30], p.Status, p.Header.Get("Set-Cookie"))
			}
		}
		if home := stranger.do(http.MethodGet, "/admin", nil); home.Status == http.StatusOK && strings.Contains(home.Body, "Sign out") {
			t.Fatal("a refused load opened the admin")
		}
		if got, _ := db.FindShopByID(ctx, shop.ID); !got.Active() {
			t.Fatal("a forged uninstall uninstalled the store")
		}

		if p := owner.do(http.MethodGet, "/auth/bigcommerce/remove_user?"+f.jwt(bcClerk), nil); p.Status != http.StatusOK {
			t.Fatalf("remove_user answered %d: %s", p.Status, p.Body)
		}
		if _, err := db.FindShopUser(ctx, shop.ID, "77"); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("the removed user keeps access: %v", err)
		}
		if p := owner.do(http.MethodGet, "/auth/bigcommerce/uninstall?"+f.uninstall(), nil); p.Status != http.StatusOK {
			t.Fatalf("uninstall answered %d: %s", p.Status, p.Body)
		}
		if got, _ := db.FindShopByID(ctx, shop.ID); got.Active() || got.SealedToken != nil {
			t.Fatalf("after uninstall: %+v", got)
		}
	})
}

// Over https the session a load callback opens lives in the control
// panel's iframe: its cookie is SameSite=None and partitioned.
func TestBigCommerceLoadCookieWorksInTheControlPanelFrame(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, true)
		b := (&adminFixture{url: f.url}).browser(t)
		b.do(http.MethodGet, "/auth/bigcommerce/callback?"+f.fake.Authorize(bcStore, bcOwner, "store_v2_products_read_only").Encode(), nil)
		p := b.do(http.MethodGet, "/auth/bigcommerce/load?"+f.jwt(bcOwner), nil)
		cookie := p.Header.Get("Set-Cookie")
		if p.Status != http.StatusFound || !strings.Contains(cookie, "SameSite=None") || !strings.Contains(cookie, "Partitioned") || !strings.Contains(cookie, "Secure") {
			t.Fatalf("load answered %d with cookie %q", p.Status, cookie)
		}
	})
}

// TestBigCommerceLoadDoorRefusals: the load callback opens no session for
// a payload made for another app (wrong audience), for a store Stockbell
// does not know (wrong store), or for a store that uninstalled it; the
// admin stays closed to that browser.
func TestBigCommerceLoadDoorRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		owner := (&adminFixture{url: f.url}).browser(t)
		owner.do(http.MethodGet, "/auth/bigcommerce/callback?"+f.fake.Authorize(bcStore, bcOwner, "store_v2_products_read_only").Encode(), nil)
		signed := func(change func(jwt.MapClaims)) string {
			claims := f.fake.Claims(bcStore, bcClerk)
			change(claims)
			return url.Values{"signed_payload_jwt": {bigcommercetest.SignJWT(claims, f.fake.ClientSecret)}}.Encode()
		}
		refusedLoad := func(what, query string) {
			t.Helper()
			b := (&adminFixture{url: f.url}).browser(t)
			if p := b.do(http.MethodGet, "/auth/bigcommerce/load?"+query, nil); p.Status < 400 || p.Status >= 500 || p.Header.Get("Set-Cookie") != "" {
				t.Errorf("%s: load answered %d, cookie %q", what, p.Status, p.Header.Get("Set-Cookie"))
			}
			if home := b.do(http.MethodGet, "/admin", nil); home.Status != http.StatusUnauthorized {
				t.Errorf("%s: the admin answered %d after the refused load", what, home.Status)
			}
		}
		refusedLoad("wrong audience", signed(func(c jwt.MapClaims) { c["aud"] = "another-app" }))
		refusedLoad("wrong store", signed(func(c jwt.MapClaims) { c["sub"] = "stores/unknown99" }))
		if _, err := db.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/unknown99"); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Errorf("a load for an unknown store created it: %v", err)
		}
		if p := owner.do(http.MethodGet, "/auth/bigcommerce/uninstall?"+f.uninstall(), nil); p.Status != http.StatusOK {
			t.Fatalf("uninstall answered %d", p.Status)
		}
		refusedLoad("uninstalled store", f.jwt(bcClerk))
	})
}

// TestBigCommerceRemovalOutlivesReinstall: a load payload stays valid for
// 24 hours, so one signed before a user's removal could be replayed after
// the merchant uninstalls and installs again. It stays refused (both
// payload forms); a load signed after the reinstall opens the admin.
func TestBigCommerceRemovalOutlivesReinstall(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		owner := (&adminFixture{url: f.url}).browser(t)
		install := func() {
			t.Helper()
			p := owner.do(http.MethodGet, "/auth/bigcommerce/callback?"+f.fake.Authorize(bcStore, bcOwner, "store_v2_products_read_only").Encode(), nil)
			if p.Status != http.StatusFound {
				t.Fatalf("install answered %d: %s", p.Status, p.Body)
			}
		}
		install()
		clerkLoad := f.jwt(bcClerk)
		clerkLegacy := url.Values{"signed_payload": {f.fake.LegacySignedPayload(bcStore, bcClerk)}}.Encode()
		if p := (&adminFixture{url: f.url}).browser(t).do(http.MethodGet, "/auth/bigcommerce/load?"+clerkLoad, nil); p.Status != http.StatusFound {
			t.Fatalf("the clerk's load answered %d: %s", p.Status, p.Body)
		}
		f.clock.Add(time.Minute)
		if p := owner.do(http.MethodGet, "/auth/bigcommerce/remove_user?"+f.jwt(bcClerk), nil); p.Status != http.StatusOK {
			t.Fatalf("remove_user answered %d: %s", p.Status, p.Body)
		}
		f.clock.Add(time.Hour)
		if p := owner.do(http.MethodGet, "/auth/bigcommerce/uninstall?"+f.uninstall(), nil); p.Status != http.StatusOK {
			t.Fatalf("uninstall answered %d: %s", p.Status, p.Body)
		}
		f.clock.Add(time.Hour)
		install()

		for name, query := range map[string]string{"signed_payload_jwt": clerkLoad, "signed_payload": clerkLegacy} {
			b := (&adminFixture{url: f.url}).browser(t)
			if p := b.do(http.MethodGet, "/auth/bigcommerce/load?"+query, nil); p.Status != http.StatusUnauthorized || p.Header.Get("Set-Cookie") != "" {
				t.Errorf("replayed %s signed before the removal: load answered %d, cookie %q", name, p.Status, p.Header.Get("Set-Cookie"))
			}
			if home := b.do(http.MethodGet, "/admin", nil); home.Status != http.StatusUnauthorized {
				t.Errorf("replayed %s: the admin answered %d", name, home.Status)
			}
		}
		shop, err := db.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, "stores/"+bcStore)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindShopUser(ctx, shop.ID, "77"); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			t.Fatalf("the removed user has access after the reinstall: %v", err)
		}

		// The owner grants the app to the clerk again: a new load works.
		f.clock.Add(time.Minute)
		clerk := (&adminFixture{url: f.url}).browser(t)
		if p := clerk.do(http.MethodGet, "/auth/bigcommerce/load?"+f.jwt(bcClerk), nil); p.Status != http.StatusFound {
			t.Fatalf("a load signed after the reinstall answered %d: %s", p.Status, p.Body)
		}
		if home := clerk.do(http.MethodGet, "/admin", nil); home.Status != http.StatusOK || !strings.Contains(home.Body, "clerk@bells.example") {
			t.Fatalf("the admin after a fresh load answered %d", home.Status)
		}
	})
}

// TestBigCommerceRemovalOfAUserWhoNeverLoaded: a user the owner granted
// the app, then removed before Stockbell ever saw them load it, cannot
// open the admin with a load payload signed before the removal.
func TestBigCommerceRemovalOfAUserWhoNeverLoaded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newBCFixture(t, db, false)
		owner := (&adminFixture{url: f.url}).browser(t)
		if p := owner.do(http.MethodGet, "/auth/bigcommerce/callback?"+f.fake.Authorize(bcStore, bcOwner, "store_v2_products_read_only").Encode(), nil); p.Status != http.StatusFound {
			t.Fatalf("install answered %d: %s", p.Status, p.Body)
		}
		unusedLoad := f.jwt(bcClerk)
		f.clock.Add(time.Minute)
		if p := owner.do(http.MethodGet, "/auth/bigcommerce/remove_user?"+f.jwt(bcClerk), nil); p.Status != http.StatusOK {
			t.Fatalf("remove_user answered %d: %s", p.Status, p.Body)
		}
		clerk := (&adminFixture{url: f.url}).browser(t)
		if p := clerk.do(http.MethodGet, "/auth/bigcommerce/load?"+unusedLoad, nil); p.Status != http.StatusUnauthorized || p.Header.Get("Set-Cookie") != "" {
			t.Fatalf("a load signed before the removal answered %d, cookie set: %t", p.Status, p.Header.Get("Set-Cookie") != "")
		}
		f.clock.Add(time.Minute)
		if p := clerk.do(http.MethodGet, "/auth/bigcommerce/load?"+f.jwt(bcClerk), nil); p.Status != http.StatusFound {
			t.Fatalf("a load signed after the removal answered %d: %s", p.Status, p.Body)
		}
	})
}
