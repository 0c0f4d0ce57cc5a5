package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// storefront serves product pages as a theme would.
func storefront(t *testing.T, pages map[string]string) *httptest.Server {
	mux := http.NewServeMux()
	for path, body := range pages {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(path, ".js") {
				w.Header().Set("Content-Type", "application/json")
			}
			w.Write([]byte(body))
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestInstallPageChecksAProductPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		shop2 := mustShop(t, db, "other.example")
		shopify := `<html><head><script>window.Shopify = {routes: {root: "/"}};</script>
			<script src="http://localhost/snippet.js" data-shop="bells.example" defer></script></head>
			<body><form action="/cart/add"><input name="id" value="1"></form></body></html>`
		front := storefront(t, map[string]string{
			"/products/marked": `<script src="http://localhost/snippet.js" data-shop="` + shop.PublicKey + `" defer></script>
				<div data-stockbell-variant="v1" data-stockbell-available="false"></div><div data-stockbell-variant="v2" data-stockbell-available="true"></div>`,
			"/products/bare":       `<html><body><h1>No script here</h1></body></html>`,
			"/products/wrong-shop": `<script src="http://localhost/snippet.js" data-shop="` + shop2.PublicKey + `"></script><div data-stockbell-variant="v1"></div>`,
			"/products/tee":        shopify,
			"/products/tee.js":     `{"variants":[{"id":1,"available":true},{"id":2,"available":false},{"id":3,"available":false}]}`,
		})
		b := f.signIn(t, shop)
		token := b.get("/admin/install").csrf(t)
		check := func(path string) page {
			return b.post("/admin/install", url.Values{"csrf_token": {token}, "action": {"check"}, "url": {front.URL + path}})
		}
		ok := check("/products/marked")
		wantStatus(t, ok, http.StatusOK, "checking a ready page")
		if !strings.Contains(ok.Body, "Ready: the button will show on sold-out variants") || !strings.Contains(ok.Body, "2 marked variants found, 1 of them sold out") {
			t.Errorf("ready page report:\n%.4000s", ok.Body)
		}
		if bare := check("/products/bare"); !strings.Contains(bare.Body, "Stockbell&#39;s script is not on the page") {
			t.Errorf("page without the script:\n%.4000s", bare.Body)
		}
		if wrong := check("/products/wrong-shop"); !strings.Contains(wrong.Body, "which is not this shop") {
			t.Errorf("page naming another shop:\n%.4000s", wrong.Body)
		}
		if tee := check("/products/tee"); !strings.Contains(tee.Body, "A Shopify product with 3 variants, 2 of them sold out") || !strings.Contains(tee.Body, "Ready") {
			t.Errorf("Shopify page:\n%.4000s", tee.Body)
		}
		elsewhere := b.post("/admin/install", url.Values{"csrf_token": {token}, "action": {"check"}, "url": {"http://example.org/products/x"}})
		wantStatus(t, elsewhere, http.StatusUnprocessableEntity, "a page of another site")
		if !strings.Contains(elsewhere.Body, "Only pages of this shop&#39;s own domain (bells.example) can be checked") {
			t.Errorf("another site:\n%.3000s", elsewhere.Body)
		}
	})
}

// TestPageCheckRefusesPrivateAddressesInProduction: outside development a
// shop whose domain resolves to a private or loopback address is never
// fetched, even though it is the shop's own domain.
func TestPageCheckRefusesPrivateAddressesInProduction(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	logger := slog.New(slog.DiscardHandler)
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	admin, err := web.NewAdmin(web.AdminDeps{Shops: db, Settings: db, Flows: db, Activity: db, Subscriptions: db, Subscribers: db,
		Events: db, Messages: db, Catalog: db, SignInLinks: db, Origins: db, Logger: logger},
		web.AdminOptions{SessionKey: testSessionKey, PublicURL: "https://stockbell.example"})
	if err != nil {
		t.Fatal(err)
	}
	admin.Register(server)
	ts := httptest.NewServer(server.Handler())
	t.Cleanup(ts.Close)
	f := &adminFixture{db: db, admin: admin, url: ts.URL}
	front := storefront(t, map[string]string{"/products/x": `<script src="https://stockbell.example/snippet.js"></script>`})
	u, _ := url.Parse(front.URL)
	shop := mustShop(t, db, u.Host) // 127.0.0.1 on the page's port: its own domain, but a loopback address
	b := f.signIn(t, shop)
	p := b.post("/admin/install", url.Values{"csrf_token": {b.get("/admin/install").csrf(t)}, "action": {"check"}, "url": {front.URL + "/products/x"}})
	wantStatus(t, p, http.StatusUnprocessableEntity, "a page on a loopback address in production")
	if !strings.Contains(p.Body, "private network") {
		t.Errorf("refusal:\n%.3000s", p.Body)
	}
}

func TestInstallPageManagesOrigins(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		shop := mustShop(t, db, "bells.example")
		b := f.signIn(t, shop)
		page := b.get("/admin/install")
		if !strings.Contains(page.Body, `/snippet.js&#34; data-shop=&#34;`+shop.PublicKey+`&#34;`) {
			t.Errorf("install page lacks the script tag with the shop's key:\n%.3000s", page.Body)
		}
		token := page.csrf(t)
		wantStatus(t, b.post("/admin/install", url.Values{"action": {"add_origin"}, "origin": {"https://headless.example"}}), http.StatusForbidden, "adding without CSRF")
		wantStatus(t, b.post("/admin/install", url.Values{"csrf_token": {token}, "action": {"add_origin"}, "origin": {"https://headless.example/"}}),
			http.StatusSeeOther, "adding an origin")
		bad := b.post("/admin/install", url.Values{"csrf_token": {token}, "action": {"add_origin"}, "origin": {"ftp://x"}})
		wantStatus(t, bad, http.StatusUnprocessableEntity, "adding a bad origin")
		if field := regexp.MustCompile(`<p class="field-error" id="origin-error">[^<]+</p>\s*<input[^>]*id="origin"[^>]*>`).FindString(bad.Body); !strings.Contains(field, `value="ftp://x"`) {
			t.Errorf("the refused origin is not beside its field as typed:\n%s", regexp.MustCompile(`(?s)<label for="origin".*?</form>`).FindString(bad.Body))
		}
		origins, err := db.FindShopOrigins(context.Background(), shop.ID)
		if err != nil || len(origins) != 1 || origins[0] != "https://headless.example" {
			t.Fatalf("origins %v %v", origins, err)
		}
		wantStatus(t, b.post("/admin/install", url.Values{"csrf_token": {token}, "action": {"remove_origin"}, "origin": {"https://headless.example"}}),
			http.StatusSeeOther, "removing it")
		if origins, _ := db.FindShopOrigins(context.Background(), shop.ID); len(origins) != 0 {
			t.Fatalf("origins after removal: %v", origins)
		}
		_ = stockbell.PlatformFeed
	})
}

// TestInstallPageSuggestsAPageItCanCheck: "Check my product page" suggests
// an address of the shop's own product pages; the demo shop's are this
// server's /demo pages, not its made-up domain, which resolves nowhere.
func TestInstallPageSuggestsAPageItCanCheck(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		demoShop := storetest.MustShop(t, db, stockbell.PlatformDemo, "demo.stockbell.localhost")
		demoAdmin := f.signIn(t, demoShop)
		p := demoAdmin.get("/admin/install")
		wantStatus(t, p, http.StatusOK, "the demo shop's install page")
		if want := `placeholder="http://localhost/demo"`; !strings.Contains(p.Body, want) {
			t.Errorf("the demo shop's page to check: want %s in\n%s", want, regexp.MustCompile(`<input[^>]*id="url"[^>]*>`).FindString(p.Body))
		}
		token := demoAdmin.get("/admin/install").csrf(t)
		refused := demoAdmin.post("/admin/install", url.Values{"csrf_token": {token}, "action": {"check"}, "url": {"sweater"}})
		wantStatus(t, refused, http.StatusUnprocessableEntity, "checking an address that is not one")
		if want := "such as http://localhost/demo"; !strings.Contains(refused.Body, want) {
			t.Errorf("the refusal of the demo shop's page to check: want %q in\n%s", want, regexp.MustCompile(`<p class="field-error"[^>]*>[^<]*`).FindString(refused.Body))
		}
		feedShop := mustShop(t, db, "shop.example")
		p = f.signIn(t, feedShop).get("/admin/install")
		if want := `placeholder="https://shop.example/products/…"`; !strings.Contains(p.Body, want) {
			t.Errorf("a shop's page to check: want %s in\n%s", want, regexp.MustCompile(`<input[^>]*id="url"[^>]*>`).FindString(p.Body))
		}
	})
}

// TestInstallPageNamesTheModule: a Magento store's and a PrestaShop shop's
// Install page say that the Stockbell module prints the script and the
// markers, and where it is, before the script tag for a theme without it;
// a catalog feed's shop has no module to name.
func TestInstallPageNamesTheModule(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		for platform, module := range map[stockbell.Platform]string{stockbell.PlatformMagento: "integrations/magento/module/",
			stockbell.PlatformPrestaShop: "integrations/prestashop/module/stockbell/", stockbell.PlatformFeed: ""} {
			shop := storetest.MustShop(t, db, platform, "module.example")
			p := f.signIn(t, shop).get("/admin/install")
			wantStatus(t, p, http.StatusOK, "the install page of a "+string(platform)+" shop")
			text := visibleText(p.Body)
			named := strings.Contains(text, "The Stockbell module ( "+module+" in Stockbell's repository) prints the script and the markers")
			if named != (module != "") || strings.Contains(text, "The Stockbell module") != (module != "") {
				t.Errorf("the %s shop's install page names its module %v:\n%s", platform, named, text)
			}
			if !strings.Contains(html.UnescapeString(p.Body), `data-shop="`+shop.PublicKey+`"`) {
				t.Errorf("the %s shop's install page gives no script tag", platform)
			}
		}
	})
}

// TestInstallPageSuggestsThePlatformsProductPage: the page to check is
// suggested as each platform writes a product page (Magento's
// /tee.html, PrestaShop's /1-hummingbird-printed-t-shirt.html, in the
// folder the shop is installed in), never Shopify's /products/…; a
// PrestaShop shop in a folder names its host, not its folder, as its own
// domain, and so does the refusal of another site's page.
func TestInstallPageSuggestsThePlatformsProductPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		magento := storetest.MustShop(t, db, stockbell.PlatformMagento, "magento.example")
		folder, err := db.InstallShop(context.Background(), stockbell.ShopInstall{Platform: stockbell.PlatformPrestaShop,
			Domain: "presta.example/boutique", PrimaryDomain: "presta.example", Name: "Boutique"})
		if err != nil {
			t.Fatal(err)
		}
		for shop, want := range map[*stockbell.Shop]string{magento: "https://magento.example/….html", folder: "https://presta.example/boutique/….html"} {
			b := f.signIn(t, shop)
			p := b.get("/admin/install")
			if got := html.UnescapeString(regexp.MustCompile(`placeholder="([^"]*)"`).FindStringSubmatch(
				regexp.MustCompile(`<input[^>]*id="url"[^>]*>`).FindString(p.Body))[1]); got != want {
				t.Errorf("the %s shop's page to check is suggested as %q, want %q", shop.Platform, got, want)
			}
			if shop == folder {
				if text := visibleText(p.Body); !strings.Contains(text, "your shop's own domain (presta.example).") {
					t.Errorf("the shop in a folder names its own domains:\n%s", text)
				}
				refused := b.post("/admin/install", url.Values{"csrf_token": {p.csrf(t)}, "action": {"check"}, "url": {"https://elsewhere.example/1-x.html"}})
				if got := html.UnescapeString(regexp.MustCompile(`<p class="field-error"[^>]*>[^<]*`).FindString(refused.Body)); !strings.Contains(got, "(presta.example)") {
					t.Errorf("another site's page is refused with %q", got)
				}
			}
		}
	})
}
