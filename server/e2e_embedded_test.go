package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/web"
)

// embeddedQuery is what Shopify adds when it opens the app in its admin.
func embeddedQuery(shop, token string) string {
	q := url.Values{"embedded": {"1"}, "shop": {shop}, "host": {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZTJl"}}
	if token != "" {
		q.Set("id_token", token)
	}
	return q.Encode()
}

// sessionToken signs claims as App Bridge does, with changes applied.
func sessionToken(t *testing.T, fake *shopifytest.Fake, shop string, change func(jwt.MapClaims)) string {
	t.Helper()
	now := time.Now()
	claims := jwt.MapClaims{"iss": "https://" + shop + "/admin", "dest": "https://" + shop, "aud": fake.APIKey, "sub": "42",
		"exp": now.Add(time.Minute).Unix(), "nbf": now.Unix(), "iat": now.Unix(), "jti": "j1", "sid": "s1"}
	if change != nil {
		change(claims)
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(fake.Secret))
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

type answer struct {
	status int
	header http.Header
	body   string
}

func request(t *testing.T, method, target string, form url.Values, headers ...string) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirectClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(raw)}
}

// TestManagedInstallFromTheEmbeddedAdmin opens the app as Shopify does
// after a managed installation: the first load of an unknown shop, with a
// session token, installs it in that request (token exchange, catalog sync
// and webhook registration queued) and shows the dashboard in the frame.
func TestManagedInstallFromTheEmbeddedAdmin(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	a := request(t, http.MethodGet, m.URL()+"/admin?"+embeddedQuery(e2eShop, fake.SessionToken(e2eShop, fake.Secret)), nil)
	if a.status != http.StatusOK || !strings.Contains(a.body, "Dashboard") {
		t.Fatalf("first embedded load: %d\n%.2000s", a.status, a.body)
	}
	if csp := a.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://"+e2eShop+" https://admin.shopify.com") ||
		!strings.Contains(csp, "https://cdn.shopify.com") {
		t.Errorf("CSP %q", csp)
	}
	if !strings.Contains(a.body, `<script src="`+web.AppBridgeURL+`"></script>`) || !strings.Contains(a.body, `<meta name="shopify-api-key" content="`+fake.APIKey+`">`) {
		t.Errorf("the page does not load App Bridge with the app's key")
	}
	if a.header.Get("Set-Cookie") != "" {
		t.Errorf("an embedded page set a cookie: %s", a.header.Get("Set-Cookie"))
	}
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	if err != nil || !shop.Active() || len(shop.SealedToken) == 0 {
		t.Fatalf("shop after the first load: %+v %v", shop, err)
	}
	joined := strings.Join(shopJobKinds(t, m, shop.ID), " ")
	if !strings.Contains(joined, "shopify_catalog_sync") || !strings.Contains(joined, "shopify_register_webhooks") {
		t.Fatalf("the shop's jobs after the first load: %s", joined)
	}
	// The next load finds the shop installed and exchanges nothing.
	again := request(t, http.MethodGet, m.URL()+"/admin/settings?"+embeddedQuery(e2eShop, fake.SessionToken(e2eShop, fake.Secret)), nil)
	if again.status != http.StatusOK || !strings.Contains(again.body, "Restock settings") {
		t.Fatalf("second load: %d", again.status)
	}
}

// TestSessionTokenDoor drives the embedded door with good and bad session
// tokens: a document without a valid token bounces to App Bridge, an
// in-page request gets 401 with the retry header, and a token for another
// shop is refused without installing it.
func TestSessionTokenDoor(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	base := m.URL()
	valid := sessionToken(t, fake, e2eShop, nil)
	expired := sessionToken(t, fake, e2eShop, func(c jwt.MapClaims) {
		c["exp"], c["nbf"], c["iat"] = time.Now().Add(-2*time.Minute).Unix(), time.Now().Add(-3*time.Minute).Unix(), time.Now().Add(-3*time.Minute).Unix()
	})
	wrongAudience := sessionToken(t, fake, e2eShop, func(c jwt.MapClaims) { c["aud"] = "another-app" })
	other := "other-bells.myshopify.com"
	wrongShop := sessionToken(t, fake, other, nil)

	if a := request(t, http.MethodGet, base+"/admin/settings?"+embeddedQuery(e2eShop, valid), nil); a.status != http.StatusOK {
		t.Fatalf("valid token: %d", a.status)
	}
	for name, token := range map[string]string{"missing": "", "expired": expired, "wrong audience": wrongAudience} {
		doc := request(t, http.MethodGet, base+"/admin/settings?"+embeddedQuery(e2eShop, token), nil)
		loc, _ := url.Parse(doc.header.Get("Location"))
		if doc.status != http.StatusFound || loc == nil || loc.Path != web.SessionTokenPath ||
			!strings.HasPrefix(loc.Query().Get("shopify-reload"), m.Config.PublicURL+"/admin/settings?") || strings.Contains(loc.Query().Get("shopify-reload"), "id_token") {
			t.Errorf("%s token, document: %d to %q; want the bounce page reloading /admin/settings on the public URL without the token", name, doc.status, doc.header.Get("Location"))
		}
		if token == "" {
			continue
		}
		fetch := request(t, http.MethodGet, base+"/admin/settings", nil, "Authorization", "Bearer "+token, "Accept", "application/json")
		if fetch.status != http.StatusUnauthorized || fetch.header.Get(web.RetryInvalidSessionHeader) != "1" {
			t.Errorf("%s token, in-page request: %d, retry header %q", name, fetch.status, fetch.header.Get(web.RetryInvalidSessionHeader))
		}
	}
	bounce := request(t, http.MethodGet, base+web.SessionTokenPath+"?"+url.Values{"shop": {e2eShop}, "shopify-reload": {m.Config.PublicURL + "/admin"}}.Encode(), nil)
	if bounce.status != http.StatusOK || !strings.Contains(bounce.body, `data-api-key="`+fake.APIKey+`"`) || !strings.Contains(bounce.body, web.AppBridgeURL) {
		t.Errorf("bounce page: %d\n%s", bounce.status, bounce.body)
	}
	if csp := bounce.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src "+web.AppBridgeURL) ||
		!strings.Contains(csp, "frame-ancestors https://"+e2eShop+" https://admin.shopify.com") {
		t.Errorf("bounce page CSP %q: want App Bridge allowed and framing by the shop's admin", csp)
	}
	for _, elsewhere := range []string{"https://elsewhere.example/admin", m.Config.PublicURL + ".elsewhere.example/admin", "//elsewhere.example/", `/\elsewhere.example/`,
		// A browser drops tabs and newlines from a URL before reading it: "//elsewhere.example/".
		"/\t/elsewhere.example/", "/\n/elsewhere.example/", "/\r\n/elsewhere.example/", "/\t\\elsewhere.example/"} {
		if a := request(t, http.MethodGet, base+web.SessionTokenPath+"?"+url.Values{"shop": {e2eShop}, "shopify-reload": {elsewhere}}.Encode(), nil); a.status != http.StatusBadRequest {
			t.Errorf("bounce page reloading %q: %d, want 400", elsewhere, a.status)
		}
	}
	wrong := request(t, http.MethodGet, base+"/admin?"+embeddedQuery(e2eShop, wrongShop), nil)
	if wrong.status != http.StatusForbidden {
		t.Errorf("token for another shop: %d, want 403", wrong.status)
	}
	if _, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, other); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		t.Errorf("a token for another shop installed it: %v", err)
	}
	// A state change with a verified token needs no CSRF token; without
	// one, nothing changes.
	change := url.Values{"min_inventory": {"4"}, "per_unit": {"2"}, "wait": {"3h"}}
	if a := request(t, http.MethodPost, base+"/admin/settings?"+embeddedQuery(e2eShop, ""), change); a.status != http.StatusUnauthorized && a.status != http.StatusFound {
		t.Errorf("post without a token: %d", a.status)
	}
	shop, _ := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformShopify, e2eShop)
	if s, _ := m.DB.FindSettings(context.Background(), shop.ID); s.MinInventory != 1 {
		t.Fatalf("a post without a token changed the settings: %+v", s)
	}
	a := request(t, http.MethodPost, base+"/admin/settings", change, "Authorization", "Bearer "+valid)
	if a.status != http.StatusSeeOther {
		t.Fatalf("post with a bearer token: %d\n%.1000s", a.status, a.body)
	}
	if s, _ := m.DB.FindSettings(context.Background(), shop.ID); s.MinInventory != 4 || s.Wait != 3*time.Hour {
		t.Fatalf("settings after the post: %+v", s)
	}
}

// TestInstallPageLinksToTheThemeEditor: inside the Shopify admin, the
// Install page's button opens the shop's theme editor at the product
// template with Stockbell's app embed turned on (Shopify's deep link
// activateAppId={api_key}/{handle}, handle = the embed block's file name),
// out of the admin's frame.
func TestInstallPageLinksToTheThemeEditor(t *testing.T) {
	m, fake := shopifyServer(t, filepath.Join(t.TempDir(), "db.sqlite"))
	installShop(t, m, fake)
	a := request(t, http.MethodGet, m.URL()+"/admin/install?"+embeddedQuery(e2eShop, sessionToken(t, fake, e2eShop, nil)), nil)
	if a.status != http.StatusOK {
		t.Fatalf("install page: %d", a.status)
	}
	link := "https://" + e2eShop + "/admin/themes/current/editor?context=apps&amp;template=product&amp;activateAppId=" + fake.APIKey + "/" + web.EmbedHandle
	if !strings.Contains(a.body, `href="`+link+`" target="_top"`) {
		t.Errorf("install page lacks the theme editor link %q:\n%.3000s", link, a.body)
	}
	if _, err := os.Stat(filepath.Join("..", "extensions", "stockbell-embed", "blocks", web.EmbedHandle+".liquid")); err != nil {
		t.Errorf("the link activates %q, which is not an app embed block of the extension: %v", web.EmbedHandle, err)
	}
}
