// Package magentotest plays a Magento 2 store in tests: the integration's
// activation (the form Magento posts), the OAuth 1.0a token endpoints,
// which check every signature (HMAC-SHA256 and HMAC-SHA1, or only the
// methods a test allows), and the signed REST endpoints Stockbell reads —
// /V1/products with searchCriteria (filters on entity_id and sku, eq and
// gt; a sort order on entity_id; paging, where a page past the last
// answers the last page again, as Magento does; a key naming no
// property is refused with 400, as Magento refuses it; a configurable
// product with its configurable_product_options among its
// extension_attributes, as Magento 2.4 lists them), configurable
// products' children (their option values among their
// custom_attributes) and options (/options/all), /V1/products/{sku},
// /V1/stockItems/{sku} and, with multi-source inventory on,
// /V1/inventory/sources (paged) and /V1/inventory/source-items. Errors
// have Magento's shapes: oauth_problem forms from the token endpoints,
// {"message", "parameters"} JSON from REST (a revoked token's and a
// missing ACL resource's 401, a firewall's 403).
package magentotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Product is a catalog product. A configurable product lists its
// children; a simple product carries its stock.
type Product struct {
	ID         int64
	SKU, Name  string
	Type       string // simple, configurable, virtual…
	Visibility int    // 1: not visible individually (a child), 4: catalog and search
	Status     int    // 1 enabled
	Price      float64
	URLKey     string
	UpdatedAt  time.Time
	Children   []*Product
	// Options are a configurable product's configurable attributes (its
	// sizes, colours), in order; each one's values are those its
	// children hold, as Magento reads them.
	Options []Option
	// Values are a child's values of its configurable product's
	// attributes: attribute code → option id.
	Values map[string]int64

	Qty         float64
	InStock     bool
	ManageStock bool
	Backorders  int
	// Sources are the MSI source items (source code → quantity), used
	// when the fake's MSI is on.
	Sources map[string]float64
}

// Option is a configurable attribute of a configurable product, such as
// size: its attribute id, code (the key of its children's value among
// their custom_attributes) and label.
type Option struct {
	AttributeID int64
	Code, Label string
}

// Fake is a loopback Magento store.
type Fake struct {
	server *httptest.Server

	mu sync.Mutex
	// The integration's credentials; Verifier is posted with the activation.
	ConsumerKey, ConsumerSecret, Verifier string
	requestToken, requestSecret           string
	accessToken, accessSecret             string
	// Methods are the signature methods the store accepts.
	Methods []string
	// MSI turns multi-source inventory (the sources and source-items
	// endpoints) on.
	MSI bool
	// BaseCurrency is the store's base currency code, as
	// /V1/directory/currency answers it; USD when not set.
	BaseCurrency string
	// DisabledSources are the source codes the merchant disabled: the
	// sources endpoint lists them with enabled false, and their source
	// items are still listed, as Magento lists them.
	DisabledSources map[string]bool
	Products        []*Product
	// OptionsUnlisted leaves configurable products' options out of
	// /V1/products, as Magento releases whose product list read no
	// extension attributes did: /V1/configurable-products/{sku}/options/all
	// still answers them.
	OptionsUnlisted bool
	// BeforeProductPage, when set, runs (with the store locked) before
	// each page of /V1/products is chosen: a test changes the catalog
	// between two pages with it.
	BeforeProductPage func(f *Fake)
	// AfterProductPage, when set, runs (with the store locked) after each
	// page of /V1/products is chosen, before it is answered: a product a
	// test creates then is not on the page, however high its id.
	AfterProductPage func(f *Fake)
	// BeforeStockItem, when set, runs (with the store locked) before
	// /V1/stockItems/{sku} answers: a test deletes the product between
	// the listing and the stock read with it.
	BeforeStockItem func(f *Fake, sku string)
	// Unrouted are REST paths (under /rest/V1) whose prefix the store
	// answers 404 "Request does not match any route.", as a store
	// without the module that serves them does.
	Unrouted []string
	// Denied maps REST path prefixes (under /rest/V1) to the ACL resource
	// their routes need, which the integration is not granted (the
	// merchant narrowed its API resources): the store answers them 401
	// "The consumer isn't authorized to access %resources." with the
	// resource in the parameters, as Magento does.
	Denied map[string]string
	// Forbidden maps REST path prefixes to the message of a 403, as a
	// firewall in front of the store answers.
	Forbidden map[string]string
	// Unavailable, when set, is the status every REST request is answered
	// with (a plain-text body), as the web server in front of a store that
	// is down answers: 503, say.
	Unavailable int
	// Slow, when set, is how long each REST request waits before it is
	// answered (without holding the store's lock).
	Slow   time.Duration
	nonces map[string]bool
	// Requests counts the REST requests by path.
	Requests map[string]int
}

// New starts a store with fresh credentials that accepts both methods.
func New() *Fake { return start(httptest.NewServer) }

// NewTLS starts a store as New does, served over https (its certificate
// is for example.com): Transport reaches it under any host name.
func NewTLS() *Fake { return start(httptest.NewTLSServer) }

func start(serve func(http.Handler) *httptest.Server) *Fake {
	f := &Fake{ConsumerKey: token(), ConsumerSecret: token(), Verifier: token(),
		Methods: []string{"HMAC-SHA256", "HMAC-SHA1"}, nonces: map[string]bool{}, Requests: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token/request", f.serveRequestToken)
	mux.HandleFunc("POST /oauth/token/access", f.serveAccessToken)
	mux.HandleFunc("GET /rest/V1/", f.serveREST)
	f.server = serve(mux)
	return f
}

// Transport reaches the store whatever host and port a URL names (a test
// names it as a merchant would, https://magento.example:443/), trusting
// its certificate.
func (f *Fake) Transport() *http.Transport {
	t := f.server.Client().Transport.(*http.Transport).Clone()
	t.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, f.server.Listener.Addr().String())
	}
	if t.TLSClientConfig != nil {
		t.TLSClientConfig.ServerName = "example.com"
	}
	return t
}

// Close stops the store.
func (f *Fake) Close() { f.server.Close() }

// URL is the store's base URL.
func (f *Fake) URL() string { return f.server.URL }

// Domain is the shop domain Stockbell gives the store: its host.
func (f *Fake) Domain() string {
	return strings.TrimPrefix(strings.TrimPrefix(f.server.URL, "http://"), "https://")
}

// ActivationForm is what Magento posts to the app's callback URL when the
// merchant activates the integration.
func (f *Fake) ActivationForm() url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return url.Values{"oauth_consumer_key": {f.ConsumerKey}, "oauth_consumer_secret": {f.ConsumerSecret},
		"store_base_url": {f.server.URL + "/"}, "oauth_verifier": {f.Verifier}}
}

// Do runs fn with the store locked, to change its state.
func (f *Fake) Do(fn func(f *Fake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// Unlocked runs fn with the store unlocked, from a hook (which runs with
// it locked), and locks it again: a hook plays with it what the merchant
// does in Magento while a request is answered, such as reauthorizing the
// integration, whose activation calls the store's token endpoints.
func (f *Fake) Unlocked(fn func()) {
	f.mu.Unlock()
	defer f.mu.Lock()
	fn()
}

// AccessGranted reports whether the exchange reached an access token.
func (f *Fake) AccessGranted() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accessToken != ""
}

// Revoke deletes the integration's access token, as deleting or
// reauthorizing the integration in System › Extensions › Integrations does: the OAuth
// check refuses it from then on (401 "Specified token does not exist").
func (f *Fake) Revoke() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accessToken, f.accessSecret = "", ""
}

// token is 32 characters, Magento's length of keys, tokens and verifiers.
func token() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (f *Fake) serveRequestToken(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, problem := f.check(r, "", ""); problem != "" {
		oauthProblem(w, problem)
		return
	}
	f.requestToken, f.requestSecret = token(), token()
	w.Write([]byte(url.Values{"oauth_token": {f.requestToken}, "oauth_token_secret": {f.requestSecret}}.Encode()))
}

func (f *Fake) serveAccessToken(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, problem := f.check(r, f.requestToken, f.requestSecret)
	switch {
	case problem != "":
	case o.protocol["oauth_verifier"] != f.Verifier:
		problem = "Token verifier and verifier token do not match"
	}
	if problem != "" {
		oauthProblem(w, problem)
		return
	}
	f.requestToken = ""
	f.accessToken, f.accessSecret = token(), token()
	w.Write([]byte(url.Values{"oauth_token": {f.accessToken}, "oauth_token_secret": {f.accessSecret}}.Encode()))
}

// check verifies a signed request for the token (empty: none) and its
// secret; it returns Magento's problem text when it refuses.
func (f *Fake) check(r *http.Request, tok, tokenSecret string) (*oauthRequest, string) {
	o, ok := parseOAuth(r)
	switch {
	case !ok:
		return nil, "Authorization header is missing"
	case o.protocol["oauth_consumer_key"] != f.ConsumerKey:
		return nil, "A consumer having the specified key does not exist"
	case o.protocol["oauth_token"] != tok:
		return nil, "Specified token does not exist"
	case !contains(f.Methods, o.protocol["oauth_signature_method"]):
		return nil, "Signature method " + o.protocol["oauth_signature_method"] + " is not supported"
	case f.nonces[o.protocol["oauth_nonce"]]:
		return nil, "The nonce is already being used by the consumer"
	case !fresh(o.protocol["oauth_timestamp"]):
		return nil, "The timestamp is out of range"
	case !o.valid(r, f.ConsumerSecret, tokenSecret, f.Methods):
		return nil, "The signature is invalid. Verify and try again."
	}
	f.nonces[o.protocol["oauth_nonce"]] = true
	return o, ""
}

func fresh(ts string) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	return err == nil && time.Since(time.Unix(n, 0)).Abs() < 10*time.Minute
}

func oauthProblem(w http.ResponseWriter, problem string) {
	w.WriteHeader(http.StatusUnauthorized)
	w.Write([]byte(url.Values{"oauth_problem": {problem}}.Encode()))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func restError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"message": message, "parameters": []any{}})
}
