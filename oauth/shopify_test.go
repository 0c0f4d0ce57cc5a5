package oauth_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

const testShop = "toys.myshopify.com"

// installEnv is the install flow against the fake Shopify and a real database.
type installEnv struct {
	t       *testing.T
	db      *store.DB
	fake    *shopifytest.Fake
	clock   *shopifytest.Clock
	flow    *oauth.Shopify
	web     http.Handler
	sealer  *oauth.Sealer
	logs    *bytes.Buffer
	cookies []*http.Cookie
}

func newInstallEnv(t *testing.T, db *store.DB) *installEnv {
	clock := shopifytest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	db.Clock = clock
	fake := shopifytest.New(clock)
	t.Cleanup(fake.Close)
	key := bytes.Repeat([]byte("k"), 32)
	sealer, _ := oauth.NewSealer(key)
	state, _ := web.NewStateStore(key, clock, true)
	cfg := stockbell.ShopifyConfig{
		APIKey: fake.APIKey, APISecret: fake.Secret, Scopes: stockbell.DefaultShopifyScopes,
		AppURL: "https://app.example", AdminURL: fake.AdminURL(),
	}
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	flow := oauth.NewShopify(cfg, db, sealer, clock, logger)
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	server.RegisterInstall(stockbell.PlatformShopify, flow, state)
	return &installEnv{t: t, db: db, fake: fake, clock: clock, flow: flow, web: server.Handler(), sealer: sealer, logs: logs}
}

// serve sends a request to the server's install routes with the env's
// cookies and keeps the cookies it sets.
func (e *installEnv) serve(method, target string, header http.Header) *http.Response {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	for _, c := range e.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.web.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		e.cookies = append(e.cookies, c)
	}
	return res
}

// begin starts the install as the Shopify admin would and returns the
// authorize redirect.
func (e *installEnv) begin(shop string) *url.URL {
	q := e.fake.SignedQuery(shop, url.Values{})
	res := e.serve(http.MethodGet, "/auth/shopify?"+q.Encode(), nil)
	if res.StatusCode != http.StatusFound {
		e.t.Fatalf("begin: status %d: %s", res.StatusCode, body(res))
	}
	loc, _ := url.Parse(res.Header.Get("Location"))
	return loc
}

// authorize follows the redirect to the fake, which approves and sends the
// merchant back; it returns the callback URL.
func (e *installEnv) authorize(authorizeURL *url.URL) *url.URL {
	res, err := e.fake.Client().Get(authorizeURL.String())
	if err != nil {
		e.t.Fatal(err)
	}
	if res.StatusCode != http.StatusFound {
		e.t.Fatalf("authorize: status %d: %s", res.StatusCode, body(res))
	}
	back, _ := url.Parse(res.Header.Get("Location"))
	return back
}

func (e *installEnv) callback(back *url.URL) *http.Response {
	return e.serve(http.MethodGet, "/auth/shopify/callback?"+back.RawQuery, nil)
}

func body(res *http.Response) string {
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// jobKinds lists the kinds of the queued jobs.
func jobKinds(t *testing.T, db *store.DB) []string {
	var kinds []string
	if err := db.DB.Select(&kinds, `SELECT kind FROM river_job ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return kinds
}

func TestInstall(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newInstallEnv(t, db)
		authorize := e.begin(testShop)
		q := authorize.Query()
		if authorize.Path != "/"+testShop+"/admin/oauth/authorize" || q.Get("client_id") != e.fake.APIKey ||
			q.Get("scope") != "read_products,read_inventory,read_orders" || q.Get("redirect_uri") != "https://app.example/auth/shopify/callback" ||
			q.Get("state") == "" || q.Has("grant_options[]") {
			t.Fatalf("authorize redirect = %s", authorize)
		}
		back := e.authorize(authorize)
		signedAt := e.clock.Now().Truncate(time.Second)
		e.clock.Advance(2 * time.Second)
		res := e.callback(back)
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/admin?shop="+testShop {
			t.Fatalf("callback: %d %s %s", res.StatusCode, res.Header.Get("Location"), body(res))
		}
		shop, err := db.FindShopByDomain(context.Background(), stockbell.PlatformShopify, testShop)
		if err != nil {
			t.Fatal(err)
		}
		// The install is at Shopify's time, the callback's signed timestamp.
		if shop.PlatformInstalledAt == nil || !shop.PlatformInstalledAt.Equal(signedAt) {
			t.Fatalf("platform install time %v, want the callback's timestamp %v", shop.PlatformInstalledAt, signedAt)
		}
		token, err := e.sealer.Open(shop.ID, shop.SealedToken)
		if err != nil || string(token) != e.fake.Shop(testShop).Token || !shop.Active() || shop.Scopes != "read_products,read_inventory,read_orders" {
			t.Fatalf("stored shop %+v, token %q (%v)", shop, token, err)
		}
		if bytes.Contains(shop.SealedToken, token) {
			t.Fatal("the token is stored in clear")
		}
		kinds := strings.Join(jobKinds(t, db), ",")
		if kinds != "shopify_register_webhooks,shopify_catalog_sync" {
			t.Fatalf("queued jobs = %s", kinds)
		}
	})
}

// TestInstallFailures plays every refusal: each answers 4xx (502 when
// Shopify fails), stores no shop and queues no job.
func TestInstallFailures(t *testing.T) {
	cases := []struct {
		name   string
		status int
		play   func(e *installEnv) *http.Response
	}{
		{"invalid shop", 400, func(e *installEnv) *http.Response {
			q := e.fake.SignedQuery("evil.example.com", url.Values{})
			return e.serve("GET", "/auth/shopify?"+q.Encode(), nil)
		}},
		{"bad hmac on begin", 401, func(e *installEnv) *http.Response {
			q := e.fake.SignedQuery(testShop, url.Values{})
			q.Set("hmac", strings.Repeat("0", 64))
			return e.serve("GET", "/auth/shopify?"+q.Encode(), nil)
		}},
		{"bad hmac on callback", 401, func(e *installEnv) *http.Response {
			back := e.authorize(e.begin(testShop))
			q := back.Query()
			q.Set("code", "forged")
			back.RawQuery = q.Encode()
			return e.callback(back)
		}},
		{"stale timestamp", 401, func(e *installEnv) *http.Response {
			back := e.authorize(e.begin(testShop))
			e.clock.Advance(91 * time.Second)
			return e.callback(back)
		}},
		{"state from another browser", 401, func(e *installEnv) *http.Response {
			back := e.authorize(e.begin(testShop))
			e.cookies = nil
			e.begin(testShop) // this browser holds another nonce
			return e.callback(back)
		}},
		{"no state cookie", 401, func(e *installEnv) *http.Response {
			back := e.authorize(e.begin(testShop))
			e.cookies = nil
			return e.callback(back)
		}},
		{"token endpoint error", 502, func(e *installEnv) *http.Response {
			back := e.authorize(e.begin(testShop))
			e.fake.TokenStatus = http.StatusInternalServerError
			return e.callback(back)
		}},
		{"code refused by shopify", 401, func(e *installEnv) *http.Response {
			back := e.authorize(e.begin(testShop))
			q := back.Query()
			q.Set("code", "expired-or-used-code")
			q.Set("hmac", shopifytest.SignQuery(e.fake.Secret, q))
			back.RawQuery = q.Encode()
			return e.callback(back)
		}},
		{"missing scope", 401, func(e *installEnv) *http.Response {
			e.fake.GrantScopes = "read_products"
			return e.callback(e.authorize(e.begin(testShop)))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newInstallEnv(t, db)
				res := c.play(e)
				if res.StatusCode != c.status {
					t.Fatalf("status %d, want %d: %s", res.StatusCode, c.status, body(res))
				}
				if _, err := db.FindShopByDomain(context.Background(), stockbell.PlatformShopify, testShop); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
					t.Fatalf("a shop was stored: %v", err)
				}
				if kinds := jobKinds(t, db); len(kinds) != 0 {
					t.Fatalf("jobs were queued: %v", kinds)
				}
				if !strings.Contains(e.logs.String(), "install refused") {
					t.Fatalf("the refusal was not logged: %s", e.logs)
				}
			})
		})
	}
}
