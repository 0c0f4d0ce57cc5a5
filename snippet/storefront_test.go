package snippet

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// The storefront tests serve a Dawn-like Shopify product page and a
// data-attribute product page from one loopback server (the shop), and the
// snippet plus a recording stand-in for the subscription endpoint from
// another (the app), so every snippet request is cross-origin as in
// production.

type variant struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Option1   string `json:"option1"`
	Available bool   `json:"available"`
	Price     int    `json:"price"`
}

var products = map[string][]variant{
	"tee":   {{44000000000111, "S", "S", true, 1900}, {44000000000222, "M", "M", false, 1900}},
	"socks": {{44000000000333, "One size", "One size", true, 900}, {44000000000444, "Kids", "Kids", true, 900}},
	// Every size sold out: Shopify's selected_or_first_available_variant is then the first.
	"hoodie": {{44000000000555, "S", "S", false, 4900}, {44000000000666, "M", "M", false, 4900}},
}

const (
	inStock = "44000000000111"
	soldOut = "44000000000222"
)

var pages = template.Must(template.ParseFiles("testdata/dawn-product.html", "testdata/custom-product.html"))

// request is one request the app server received.
type request struct {
	Method, Path, ContentType, Origin string
	Body                              string
}

// storefront is the pair of loopback servers and what they saw.
type storefront struct {
	app, shop *httptest.Server
	attrs     template.HTMLAttr // extra attributes on the snippet's script tag

	mu       sync.Mutex
	appSeen  []request
	shopSeen []string
	held     chan struct{} // while set, requests for lazy files wait for it to close
	failing  bool          // while true, requests for lazy files get 503
}

func newStorefront(t testing.TB, attrs string) *storefront {
	t.Helper()
	return newStorefrontServing(t, attrs, mustBuild(t).Handler())
}

// newStorefrontServing is newStorefront with another handler in place of
// the snippet's (a baseline script, in benchmarks).
func newStorefrontServing(t testing.TB, attrs string, snippet http.Handler) *storefront {
	t.Helper()
	s := &storefront{attrs: template.HTMLAttr(attrs)}
	app := http.NewServeMux()
	app.Handle("/snippet.js", snippet)
	app.Handle("/snippet/", snippet)
	app.HandleFunc("/api/storefront/v1/subscriptions", s.subscribe)
	app.HandleFunc("/api/storefront/v1/status", s.status)
	app.HandleFunc("/api/storefront/v1/clicks", s.click)
	s.app = httptest.NewServer(s.recordApp(app))
	shop := http.NewServeMux()
	shop.HandleFunc("/products/{file}", s.product)
	shop.HandleFunc("/fr/products/{file}", s.product)
	shop.HandleFunc("/pages/custom", s.custom)
	shop.HandleFunc("/{$}", s.home)
	s.shop = httptest.NewServer(s.recordShop(shop))
	t.Cleanup(s.app.Close)
	t.Cleanup(s.shop.Close)
	return s
}

func (s *storefront) recordApp(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<10))
		s.mu.Lock()
		s.appSeen = append(s.appSeen, request{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Origin"), string(body)})
		held, failing := s.held, s.failing
		s.mu.Unlock()
		if held != nil && isLazyFile(r.URL.Path) {
			<-held
		}
		if failing && isLazyFile(r.URL.Path) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		next.ServeHTTP(w, r)
	})
}

func (s *storefront) recordShop(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.shopSeen = append(s.shopSeen, r.URL.RequestURI())
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// status answers like the storefront API: ok for any shop but
// "unknown-shop" and a missing one, whose errors are readable by the page
// as the server's are.
func (s *storefront) status(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Query().Get("shop") {
	case "unknown-shop":
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"code":"not_found","field":"shop","message":"No shop unknown-shop takes alerts on this Stockbell server."}}`)
	case "":
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"error":{"code":"invalid","field":"shop","message":"The shop is missing."}}`)
	default:
		fmt.Fprint(w, `{"status":"ok"}`)
	}
}

// subscribe answers like the storefront API contract: 201 new, 200 already
// queued (taken@example.com), 422 with the field: the server's refusal of
// an address without a domain (shopper@localhost), and one with a code the
// form does not know (bounce@example.com); channels awaiting the shopper's
// confirmation: the email's (confirm-email@, and pending@ answered 200 as a
// pending shopper's second try), a German number's, or both (confirm-both@);
// 429 without a field for limited@.
func (s *storefront) subscribe(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") == s.shop.URL {
		w.Header().Set("Access-Control-Allow-Origin", s.shop.URL)
		w.Header().Set("Vary", "Origin")
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	var body struct {
		Email    string   `json:"email"`
		Phone    string   `json:"phone"`
		Channels []string `json:"channels"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	w.Header().Set("Content-Type", "application/json")
	if body.Email == "" && strings.HasPrefix(body.Phone, "+49") {
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"subscription":{"id":9,"status":"pending","channels":["sms"],"awaiting_confirmation":["sms"]}}`)
		return
	}
	switch body.Email {
	case "limited@example.com":
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"code":"rate_limited","message":"Too many requests."}}`)
	case "bounce@example.com":
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"error":{"code":"EINVALID","message":"This address cannot receive email.","field":"email"}}`)
	case "shopper@localhost":
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"error":{"code":"invalid","message":"\"shopper@localhost\" is not a valid email address.","field":"email"}}`)
	case "confirm-email@example.com", "confirm-both@example.com", "pending@example.com":
		awaiting := map[string]string{"confirm-email@example.com": `["email"]`, "confirm-both@example.com": `["email","sms"]`, "pending@example.com": `["email"]`}[body.Email]
		if body.Email != "pending@example.com" {
			w.WriteHeader(http.StatusCreated)
		}
		fmt.Fprintf(w, `{"subscription":{"id":8,"status":"pending","channels":%s,"awaiting_confirmation":%s}}`, awaiting, awaiting)
	case "taken@example.com":
		fmt.Fprintf(w, `{"subscription":{"id":7,"status":"queued","channels":%q}}`, body.Channels)
	default:
		w.WriteHeader(http.StatusCreated)
		channels, _ := json.Marshal(body.Channels)
		fmt.Fprintf(w, `{"subscription":{"id":42,"status":"queued","channels":%s}}`, channels)
	}
}

// click answers a click report as the storefront API does for a click it
// counts: 201, readable by the shop's page.
func (s *storefront) click(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprint(w, `{"click":{"counted":true}}`)
}

func (s *storefront) product(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	handle, isJSON := strings.CutSuffix(file, ".js")
	variants, ok := products[handle]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if isJSON {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": 1, "handle": handle, "title": handle, "available": true, "variants": variants})
		return
	}
	js, _ := json.Marshal(variants)
	s.render(w, "dawn-product.html", map[string]any{
		"App": s.app.URL, "Attrs": s.attrs, "Title": handle, "Variants": variants, "VariantsJSON": template.JS(js),
		"Root": strings.TrimSuffix(r.URL.Path, "products/"+file),
	})
}

func (s *storefront) custom(w http.ResponseWriter, r *http.Request) {
	s.render(w, "custom-product.html", map[string]any{
		"App": s.app.URL, "Attrs": s.attrs, "Variant": "PULL-ROUGE-M", "Available": r.URL.Query().Get("available") == "true",
	})
}

func (s *storefront) home(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><script>window.Shopify={routes:{root:"/"}};window.stockbellEvents=[];
document.addEventListener("stockbell:ready",(e)=>stockbellEvents.push({name:"ready",detail:e.detail}))</script>
<script src="%s/snippet.js" data-shop="test-shop.myshopify.com" defer></script></head><body><h1>Home</h1></body></html>`, s.app.URL)
}

func (s *storefront) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		http.Error(w, err.Error(), 500)
	}
}

// posts returns the requests that reached the subscription endpoint.
func (s *storefront) posts() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []request
	for _, r := range s.appSeen {
		if r.Path == "/api/storefront/v1/subscriptions" {
			out = append(out, r)
		}
	}
	return out
}

// clicks returns the requests that reached the clicks endpoint.
func (s *storefront) clicks() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []request
	for _, r := range s.appSeen {
		if r.Path == "/api/storefront/v1/clicks" {
			out = append(out, r)
		}
	}
	return out
}

func (s *storefront) seen() (app []string, shop []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.appSeen {
		app = append(app, r.Method+" "+r.Path)
	}
	return app, append([]string(nil), s.shopSeen...)
}

// isLazyFile reports whether a path names a lazy file (/snippet/NAME.HASH.js).
func isLazyFile(path string) bool {
	file, ok := strings.CutPrefix(path, "/snippet/")
	return ok && strings.Count(file, ".") == 2
}

// holdLazyFiles makes requests for lazy files wait until release is called
// (at the latest when the test ends).
func (s *storefront) holdLazyFiles(t testing.TB) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	held := make(chan struct{})
	s.held = held
	release = sync.OnceFunc(func() {
		s.mu.Lock()
		s.held = nil
		s.mu.Unlock()
		close(held)
	})
	t.Cleanup(release)
	return release
}

// failLazyFiles makes requests for lazy files fail (503) or succeed again.
func (s *storefront) failLazyFiles(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = fail
}

// lazyFiles lists the lazy files requested so far by name ("form", "fr", …), in order.
func (s *storefront) lazyFiles() []string {
	app, _ := s.seen()
	var names []string
	for _, r := range app {
		if path, ok := strings.CutPrefix(r, "GET "); ok && isLazyFile(path) {
			names = append(names, strings.Split(strings.TrimPrefix(path, "/snippet/"), ".")[0])
		}
	}
	return names
}

// waitLazyFiles waits until n lazy files have been requested, failing after 10 s.
func (s *storefront) waitLazyFiles(t testing.TB, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if names := s.lazyFiles(); len(names) >= n {
			return names
		}
	}
	t.Fatalf("lazy files requested: %q, want %d", s.lazyFiles(), n)
	return nil
}

func eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	return browsertest.Eval[T](t, ctx, expr)
}

var (
	js      = browsertest.JS
	waitFor = browsertest.WaitFor
	do      = browsertest.Do
	open    = browsertest.Open
	click   = browsertest.Click
)

// selectVariant picks an option of the Dawn-like page's variant select, as a
// shopper's choice in the native picker does (value set, change fired).
func selectVariant(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("Option-1"); s.value = "`+id+`";
		s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
}

func wantJSON(t *testing.T, got string, want map[string]any) {
	t.Helper()
	var gotMap map[string]any
	if err := json.Unmarshal([]byte(got), &gotMap); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	g, _ := json.Marshal(gotMap)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("posted %s\nwant   %s", g, w)
	}
}

func newBrowser(t testing.TB) context.Context {
	t.Helper()
	return browsertest.New(t)
}
