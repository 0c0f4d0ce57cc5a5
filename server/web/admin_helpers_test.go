package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// adminFixture is the admin on a real store behind a loopback server,
// with a clock the test moves.
type adminFixture struct {
	db    *store.DB
	clock *storetest.Clock
	admin *web.Admin
	url   string
	// meters holds the operator series (the API fixture's only).
	meters *prometheus.Registry
}

var testReportLinks = &report.Links{Key: []byte("0123456789abcdef0123456789abcdef-report-links"), PublicURL: "http://localhost"}

var testSessionKey = []byte("0123456789abcdef0123456789abcdef-admin-session-key")

func newAdminFixture(t *testing.T, db *store.DB) *adminFixture {
	t.Helper()
	return newAdminFixtureWith(t, db, nil)
}

// newAdminFixtureWith is newAdminFixture with more registered on the
// server (another area's pages) before it serves.
func newAdminFixtureWith(t *testing.T, db *store.DB, register func(*web.Server, *web.Admin)) *adminFixture {
	t.Helper()
	return newAdminFixtureOf(t, db, register, nil)
}

// newAdminFixtureOf is newAdminFixtureWith whose admin's dependencies
// change first: a test puts a service of its own in front of the store.
func newAdminFixtureOf(t *testing.T, db *store.DB, register func(*web.Server, *web.Admin), change func(*web.AdminDeps)) *adminFixture {
	t.Helper()
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	db.Clock = clock
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	server := web.NewServer(logger, prometheus.NewRegistry(), db)
	signer, err := delivery.NewSigner(testSessionKey)
	if err != nil {
		t.Fatal(err)
	}
	renderer := delivery.NewTemplates(delivery.NewLinks("http://localhost", signer), delivery.StopNorthAmerica)
	deps := web.AdminDeps{Shops: db, Settings: db, Flows: db, Activity: db, Subscriptions: db, Subscribers: db, Privacy: db,
		Events: db, Messages: db, Catalog: db, SyncLog: db, SignInLinks: db, EndedSessions: db, Origins: db, Held: db, Outbox: db, Renderer: renderer,
		Sender: &delivery.DevSender{Logger: logger, Outbox: db}, Clock: clock, Logger: logger,
		Reports: &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}, ReportSchedule: db, ReportLinks: testReportLinks}
	if change != nil {
		change(&deps)
	}
	admin, err := web.NewAdmin(deps,
		web.AdminOptions{SessionKey: testSessionKey, Development: true, PublicURL: "http://localhost", AllowPrivateFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	admin.Register(server)
	if register != nil {
		register(server, admin)
	}
	ts := httptest.NewServer(server.Handler())
	t.Cleanup(ts.Close)
	return &adminFixture{db: db, clock: clock, admin: admin, url: ts.URL}
}

// browser is an HTTP client with its own cookie jar that does not follow
// redirects, so tests see each answer.
type browser struct {
	t      *testing.T
	client *http.Client
	base   string
}

func (f *adminFixture) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: f.url, client: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is one answer: status, headers and body.
type page struct {
	Status int
	Header http.Header
	Body   string
}

func (b *browser) do(method, path string, form url.Values, headers ...string) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
}

func (b *browser) get(path string, headers ...string) page {
	return b.do(http.MethodGet, path, nil, headers...)
}

func (b *browser) post(path string, form url.Values, headers ...string) page {
	return b.do(http.MethodPost, path, form, headers...)
}

var hiddenCSRF = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf reads the CSRF token a page's forms carry.
func (p page) csrf(t *testing.T) string {
	t.Helper()
	m := hiddenCSRF.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no csrf_token on the page (status %d):\n%.2000s", p.Status, p.Body)
	}
	return m[1]
}

// signInWithLink makes a one-time link for the shop and uses it as a
// person would: open the link, press "Sign in".
func (f *adminFixture) signIn(t *testing.T, shop *stockbell.Shop) *browser {
	t.Helper()
	token, _, err := f.db.CreateSignInLink(context.Background(), stockbell.SignInLinkCreate{ShopID: shop.ID, Email: "owner@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	if p := b.useLink(token); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/admin?notice=signed_in" {
		t.Fatalf("sign-in answered %d %s:\n%.1500s", p.Status, p.Header.Get("Location"), p.Body)
	}
	return b
}

// useLink opens a sign-in link and presses its button.
func (b *browser) useLink(token string) page {
	b.t.Helper()
	form := b.get(web.SignInPath + "?token=" + url.QueryEscape(token))
	if form.Status != http.StatusOK {
		b.t.Fatalf("sign-in form: %d", form.Status)
	}
	return b.post(web.SignInPath, url.Values{"token": {token}, "csrf_token": {form.csrf(b.t)}})
}

func mustShop(t *testing.T, db *store.DB, domain string) *stockbell.Shop {
	return storetest.MustShop(t, db, stockbell.PlatformFeed, domain)
}

func wantStatus(t *testing.T, p page, status int, what string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%.1500s", what, p.Status, status, p.Body)
	}
}

var htmlTag = regexp.MustCompile(`<[^>]+>`)

// visibleText is HTML without its tags, runs of white space made one space.
func visibleText(html string) string {
	return strings.Join(strings.Fields(htmlTag.ReplaceAllString(html, " ")), " ")
}

// testWriter writes log lines to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// decider is who approves or discards a held batch through the store in
// tests that do not look at who decided.
var decider = stockbell.AdminUser{Email: "owner@example.com"}
