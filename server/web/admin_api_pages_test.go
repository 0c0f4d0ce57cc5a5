package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/outbound"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// newAPIAdminFixture is the admin with the API's pages, its webhooks in
// production or development.
func newAPIAdminFixture(t *testing.T, db *store.DB, development bool) *adminFixture {
	t.Helper()
	sealer, err := oauth.NewSealer(testSessionKey)
	if err != nil {
		t.Fatal(err)
	}
	webhooks := outbound.New(outbound.Deps{Endpoints: db, Shops: db, Users: db, Sealer: sealer}, outbound.Options{Development: development})
	return newAdminFixtureWith(t, db, func(server *web.Server, admin *web.Admin) {
		api := server.RegisterAPI(web.APIDeps{Keys: db, Shops: db, Settings: db, Flows: db, Subscriptions: db, Subscribers: db,
			Catalog: db, Endpoints: db, Webhooks: webhooks, Logger: slog.New(slog.DiscardHandler)})
		api.RegisterAdminPages(admin)
	})
}

var shownKey = regexp.MustCompile(`value="(sbk_[A-Za-z0-9_-]+)"`)

// TestAPIKeysPage: a key made in the admin is shown once and works; the
// page then shows only its prefix; revoking needs the CSRF token, and
// another shop's key is 404 and stays valid.
func TestAPIKeysPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIAdminFixture(t, db, true)
		shop, other := mustShop(t, db, "a.example"), mustShop(t, db, "b.example")
		b := f.signIn(t, shop)
		page := b.get("/admin/api-keys")
		wantStatus(t, page, http.StatusOK, "the API keys page")
		if p := b.post("/admin/api-keys", url.Values{"name": {"ERP"}}); p.Status != http.StatusForbidden {
			t.Fatalf("making a key without the CSRF token: %d", p.Status)
		}
		made := followOnce(t, b, b.post("/admin/api-keys", url.Values{"name": {"ERP"}, "csrf_token": {page.csrf(t)}}),
			"/admin/api-keys", "making a key")
		m := shownKey.FindStringSubmatch(made.Body)
		if m == nil {
			t.Fatalf("the new key is not shown:\n%.2000s", made.Body)
		}
		if a := apiDo(t, f, m[1], "GET", "/api/v1/settings", ""); a.Status != http.StatusOK {
			t.Fatalf("the key made in the admin: %d %s", a.Status, a.Raw)
		}
		again := b.get("/admin/api-keys")
		if strings.Contains(again.Body, m[1]) || !strings.Contains(again.Body, m[1][:10]+"…") || !strings.Contains(again.Body, "ERP") {
			t.Fatalf("the list shows the whole key or not its prefix:\n%.2000s", again.Body)
		}
		if p := b.post("/admin/api-keys", url.Values{"name": {"  "}, "csrf_token": {page.csrf(t)}}); p.Status != 422 ||
			!strings.Contains(p.Body, "Give the key a name") {
			t.Fatalf("a key without a name: %d", p.Status)
		}
		theirBrowser := f.signIn(t, other)
		answer := b.post("/admin/api-keys", url.Values{"name": {"Second"}, "csrf_token": {page.csrf(t)}})
		if kept := answer.Header.Get("Set-Cookie"); kept == "" || shownKey.MatchString(theirBrowser.get("/admin/api-keys", "Cookie", strings.SplitN(kept, ";", 2)[0]).Body) {
			t.Fatalf("shop B's page shows the key shop A just made (cookie %q)", kept)
		}
		otherKey, otherRecord, err := db.CreateAPIKey(context.Background(), other.ID, "theirs")
		if err != nil {
			t.Fatal(err)
		}
		p := b.post(fmt.Sprintf("/admin/api-keys/%d/revoke", otherRecord.ID), url.Values{"csrf_token": {page.csrf(t)}})
		wantStatus(t, p, http.StatusNotFound, "revoking shop B's key")
		if a := apiDo(t, f, otherKey, "GET", "/api/v1/settings", ""); a.Status != http.StatusOK {
			t.Fatalf("shop B's key after shop A tried to revoke it: %d", a.Status)
		}
		keys, _ := db.FindAPIKeys(context.Background(), shop.ID)
		p = b.post(fmt.Sprintf("/admin/api-keys/%d/revoke", keys[0].ID), url.Values{"csrf_token": {page.csrf(t)}})
		wantStatus(t, p, http.StatusSeeOther, "revoking its own key")
		if a := apiDo(t, f, m[1], "GET", "/api/v1/settings", ""); a.Status != http.StatusUnauthorized {
			t.Fatalf("a revoked key: %d", a.Status)
		}
	})
}

// followOnce checks that a form's answer redirects to path, so that
// reloading the page shown does not post the form again, and opens it.
func followOnce(t *testing.T, b *browser, answer page, path, what string) page {
	t.Helper()
	wantStatus(t, answer, http.StatusSeeOther, what)
	if at := answer.Header.Get("Location"); at != path {
		t.Fatalf("%s redirects to %q, want %q", what, at, path)
	}
	shown := b.get(path)
	wantStatus(t, shown, http.StatusOK, what+": the page after it")
	return shown
}

// TestAPIKeyNameRefusedKeepsWhatWasTyped: a name refused (too long) comes
// back in its field, which is marked invalid and described by the reason,
// and no key is made.
func TestAPIKeyNameRefusedKeepsWhatWasTyped(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIAdminFixture(t, db, true)
		shop := mustShop(t, db, "a.example")
		b := f.signIn(t, shop)
		long := "Nightly ERP sync " + strings.Repeat("x", 100)
		refused := b.post("/admin/api-keys", url.Values{"name": {long}, "csrf_token": {b.get("/admin/api-keys").csrf(t)}})
		wantStatus(t, refused, http.StatusUnprocessableEntity, "a name of 117 characters")
		field := regexp.MustCompile(`<input[^>]*id="name"[^>]*>`).FindString(refused.Body)
		if !strings.Contains(field, `value="`+long+`"`) || !strings.Contains(field, `aria-invalid="true"`) ||
			!regexp.MustCompile(`aria-describedby="[^"]*name-error`).MatchString(field) || !strings.Contains(refused.Body, `id="name-error"`) {
			t.Errorf("the refused name's field is %s", field)
		}
		if keys, _ := db.FindAPIKeys(context.Background(), shop.ID); len(keys) != 0 {
			t.Errorf("a key was made: %+v", keys)
		}
	})
}

var shownSecret = regexp.MustCompile(`value="(whsec_[^"]+)"`)

// TestWebhooksPage: an endpoint added in the admin shows its secret once;
// in production a private address is refused naming the field and nothing
// is stored; a disabled endpoint is announced with its reason; another
// shop's endpoint is 404.
func TestWebhooksPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIAdminFixture(t, db, false)
		shop, other := mustShop(t, db, "a.example"), mustShop(t, db, "b.example")
		b := f.signIn(t, shop)
		page := b.get("/admin/webhooks")
		wantStatus(t, page, http.StatusOK, "the webhooks page")
		refused := b.post("/admin/webhooks", url.Values{"url": {"https://127.0.0.1/hooks"}, "event_types": {"subscription.created"},
			"csrf_token": {page.csrf(t)}})
		if refused.Status != 422 || !strings.Contains(refused.Body, "webhook endpoints must be on the public internet") {
			t.Fatalf("a loopback endpoint in production: %d\n%.2000s", refused.Status, refused.Body)
		}
		if endpoints, _ := db.FindWebhookEndpoints(context.Background(), shop.ID); len(endpoints) != 0 {
			t.Fatalf("the refused endpoint was stored")
		}
		added := followOnce(t, b, b.post("/admin/webhooks", url.Values{"url": {"https://93.184.216.34/hooks"}, "description": {"ERP"},
			"event_types": {"subscription.created", "restock.batch_sent"}, "csrf_token": {page.csrf(t)}}), "/admin/webhooks", "adding an endpoint")
		if shownSecret.FindStringSubmatch(added.Body) == nil {
			t.Fatalf("the secret is not shown:\n%.2000s", added.Body)
		}
		endpoints, _ := db.FindWebhookEndpoints(context.Background(), shop.ID)
		if len(endpoints) != 1 || strings.Join(endpoints[0].EventTypes, ",") != "subscription.created,restock.batch_sent" {
			t.Fatalf("stored: %+v", endpoints)
		}
		if strings.Contains(b.get("/admin/webhooks").Body, "whsec_") {
			t.Fatal("the secret is shown again")
		}
		_, err := db.RecordWebhookDelivery(context.Background(), stockbell.WebhookDelivery{ShopID: shop.ID, EndpointID: endpoints[0].ID, Final: true,
			Error: "the endpoint answered 410 Gone", MessageAt: endpoints[0].CreatedAt})
		if err != nil {
			t.Fatal(err)
		}
		if p := b.get("/admin/webhooks"); !strings.Contains(p.Body, "is disabled.") || !strings.Contains(p.Body, "410 Gone") {
			t.Fatalf("the disabled endpoint is not announced:\n%.3000s", p.Body)
		}
		theirs, err := db.CreateWebhookEndpoint(context.Background(), stockbell.WebhookEndpointCreate{ShopID: other.ID,
			URL: "https://b.example/hooks", EventTypes: []string{"subscription.created"}}, []byte("sealed"))
		if err != nil {
			t.Fatal(err)
		}
		p := b.post(fmt.Sprintf("/admin/webhooks/%d/delete", theirs.ID), url.Values{"csrf_token": {page.csrf(t)}})
		wantStatus(t, p, http.StatusNotFound, "deleting shop B's endpoint")
		if _, err := db.FindWebhookEndpoint(context.Background(), other.ID, theirs.ID); err != nil {
			t.Fatalf("shop B's endpoint is gone: %v", err)
		}
		p = b.post(fmt.Sprintf("/admin/webhooks/%d/enable", endpoints[0].ID), url.Values{"csrf_token": {page.csrf(t)}})
		wantStatus(t, p, http.StatusSeeOther, "enabling it again")
		if e, _ := db.FindWebhookEndpoint(context.Background(), shop.ID, endpoints[0].ID); !e.Enabled() {
			t.Fatal("not enabled")
		}
		deleteIt := fmt.Sprintf("/admin/webhooks/%d/delete", endpoints[0].ID)
		wantStatus(t, b.post(deleteIt, url.Values{"csrf_token": {page.csrf(t)}}), http.StatusSeeOther, "deleting it")
		again := b.post(deleteIt, url.Values{"csrf_token": {page.csrf(t)}})
		wantStatus(t, again, http.StatusNotFound, "deleting it again (a double click, a second tab)")
		if text := visibleText(again.Body); !strings.Contains(text, "No endpoint of this shop has that number: it may have been deleted already") ||
			!strings.Contains(again.Body, `href="/admin/webhooks"`) {
			t.Errorf("deleting an endpoint twice says:\n%s", text)
		}
	})
}

// TestWebhooksPageSaysWhatDevelopmentTakes: on a development server, which
// takes an http endpoint on this machine (a local receiver), the URL's hint
// says so rather than asking for an https address on the public internet,
// and such an endpoint is added.
func TestWebhooksPageSaysWhatDevelopmentTakes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAPIAdminFixture(t, db, true)
		b := f.signIn(t, mustShop(t, db, "a.example"))
		page := b.get("/admin/webhooks")
		hint := regexp.MustCompile(`id="url-hint">([^<]*)<`).FindStringSubmatch(page.Body)
		if hint == nil || !strings.Contains(hint[1], "http://localhost") {
			t.Errorf("the URL's hint in development does not say an http endpoint on this machine is taken: %q", hint)
		}
		followOnce(t, b, b.post("/admin/webhooks", url.Values{"url": {"http://localhost:9999/hooks"}, "event_types": {"subscription.created"},
			"csrf_token": {page.csrf(t)}}), "/admin/webhooks", "adding a local endpoint in development")
	})
}
