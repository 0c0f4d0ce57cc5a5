// Package bigcommercetest plays BigCommerce on a loopback HTTP server for
// tests: the login host's token endpoint (authorization code grant) and
// signed load, uninstall and remove_user payloads (signed_payload_jwt and
// the legacy signed_payload, signed with the client secret exactly as
// documented); the API host's v2 store and orders, v3 catalog products
// with variants (the list filtered by id:in, id:greater and id:less and
// sorted by id), Inventory API items with per-location levels (a disabled
// location's with location_enabled false), and hooks,
// all rate limited (X-Rate-Limit-* headers, 429 once a window's quota is
// used); lists are paged as BigCommerce pages them (v3: meta.pagination;
// v2: page and limit, at most 250 rows, 204 past the end); an uninstall
// revokes the store's token (401 from then on), and the whole API can be
// made to fail (SetAPIStatus); and webhook
// deliveries carrying each hook's custom headers. One server is both hosts: set STOCKBELL_BIGCOMMERCE_LOGIN_URL
// and STOCKBELL_BIGCOMMERCE_API_URL to URL().
package bigcommercetest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fake is a loopback BigCommerce.
type Fake struct {
	ClientID     string
	ClientSecret string
	// Quota requests per Window per store; a request beyond is answered 429.
	Quota  int
	Window time.Duration
	// Now tells the fake's time (rate-limit windows, payload times).
	Now func() time.Time
	// TokenStatus, when not zero, makes the token endpoint fail with it.
	TokenStatus int
	// Answered, when set, is called after each API request is answered
	// and the fake's lock released, before the app reads the answer's end:
	// a test changes the store, or delivers a webhook, between the app's
	// requests (a product created while a catalog listing is in flight).
	Answered func(r *http.Request)

	server    *httptest.Server
	mu        sync.Mutex
	apiStatus int // SetAPIStatus
	stores    map[string]*Store
	codes     map[string]pendingCode
	nextID    int64
}

type pendingCode struct {
	hash, scope, redirect string
}

// Store is one fake store's state.
type Store struct {
	Hash   string
	Name   string
	Domain string
	// Currency is the store's default currency code, as store information
	// (GET /v2/store) gives it; USD when not set.
	Currency string
	Token    string
	Scope    string
	Owner    User
	// Products with their variants and levels; Orders for conversions.
	Products []*Product
	Orders   []*Order
	Hooks    []*Hook
	// Forbidden answers 403, with BigCommerce's v3 error body and the
	// title given, the requests whose path (under /stores/{hash}) starts
	// with a key: the token is accepted but lacks the scope, as when the
	// app's scopes changed and the merchant has not granted them.
	Forbidden map[string]string
	// DisabledLocations are the store's locations the merchant disabled:
	// the Inventory API still lists their levels, with location_enabled
	// false.
	DisabledLocations map[int64]bool
	// Requests counts API requests, Throttled those answered 429.
	Requests    int
	Throttled   int
	windowStart time.Time
	used        int
}

// User is a store user as BigCommerce names it in payloads.
type User struct {
	ID     int64
	Email  string
	Locale string
}

// Product is a fake product. Tracking is none, product or variant;
// Levels are the product's own levels (tracking product), by location.
type Product struct {
	ID           int64
	Name         string
	URL          string // the custom URL path, e.g. /sample-shirt/
	Visible      bool
	Availability string // available, disabled or preorder
	Tracking     string
	Price        string
	ImageURL     string
	Modified     time.Time
	Levels       map[int64]int
	Variants     []*Variant
}

// Variant is a fake variant with its levels by location (tracking variant).
type Variant struct {
	ID      int64
	SKUID   int64
	SKU     string
	Price   string
	Options []string // option value labels, e.g. Small, Red
	Levels  map[int64]int
}

// Hook is a webhook created through the API.
type Hook struct {
	ID          int64
	Scope       string
	Destination string
	Headers     map[string]string
	Active      bool
	CreatedAt   int64
	UpdatedAt   int64
}

// Order is a fake order for the order webhooks.
type Order struct {
	ID       int64
	Email    string
	Created  time.Time
	Currency string
	Total    string
	Lines    []OrderLine
}

// OrderLine is one line of an order.
type OrderLine struct {
	ProductID, VariantID int64
	Quantity             int
	Price                string
}

// New starts a fake with a quota of 150 requests per 30 s window.
func New() *Fake {
	f := &Fake{ClientID: "bc-client-id", ClientSecret: "bc-client-secret", Quota: 150, Window: 30 * time.Second,
		Now: time.Now, stores: map[string]*Store{}, codes: map[string]pendingCode{}, nextID: 1000}
	f.server = httptest.NewServer(http.HandlerFunc(f.route))
	return f
}

// Close stops the server.
func (f *Fake) Close() { f.server.Close() }

// URL is the base URL of both the login and the API host.
func (f *Fake) URL() string { return f.server.URL }

// Do runs fn on the store's state under the fake's lock, creating the
// store when new.
func (f *Fake) Do(hash string, fn func(s *Store)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.storeLocked(hash))
}

func (f *Fake) storeLocked(hash string) *Store {
	s, ok := f.stores[hash]
	if !ok {
		s = &Store{Hash: hash, Name: "Store " + hash, Domain: "store-" + hash + ".mybigcommerce.com"}
		f.stores[hash] = s
	}
	return s
}

// SetVariantLevel sets a variant's available quantity at a location.
func (f *Fake) SetVariantLevel(hash string, variantID, location int64, available int) {
	f.Do(hash, func(s *Store) {
		for _, p := range s.Products {
			for _, v := range p.Variants {
				if v.ID == variantID {
					v.Levels[location] = available
				}
			}
		}
	})
}

// SetProductLevel sets a product-tracked product's quantity at a location.
func (f *Fake) SetProductLevel(hash string, productID, location int64, available int) {
	f.Do(hash, func(s *Store) {
		if p := s.product(productID); p != nil {
			p.Levels[location] = available
		}
	})
}

// DeleteProduct deletes a product from the store, as the merchant does in
// the control panel.
func (f *Fake) DeleteProduct(hash string, productID int64) {
	f.Do(hash, func(s *Store) {
		s.Products = slices.DeleteFunc(s.Products, func(p *Product) bool { return p.ID == productID })
	})
}

// RemoveVariant removes a variant from its product, the product staying,
// as the merchant does by deleting an option value in the control panel;
// it returns the data of the store/sku/deleted BigCommerce sends for it,
// or nil when the store has no such variant.
func (f *Fake) RemoveVariant(hash string, variantID int64) map[string]any {
	var data map[string]any
	f.Do(hash, func(s *Store) {
		for _, p := range s.Products {
			for i, v := range p.Variants {
				if v.ID == variantID {
					p.Variants = slices.Delete(p.Variants, i, i+1)
					data = SKUDeleted(v.SKUID, p.ID, v.ID)
					return
				}
			}
		}
	})
	return data
}

// SetAPIStatus makes every API request fail with status (503: the API
// is away) until it is set back to 0.
func (f *Fake) SetAPIStatus(status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apiStatus = status
}

// Exhaust uses up the store's current rate-limit window, as another app
// sharing the store's quota would: the next request is answered 429.
func (f *Fake) Exhaust(hash string) {
	f.Do(hash, func(s *Store) {
		s.windowStart, s.used = f.Now(), f.Quota
	})
}

// DeactivateHooks deactivates every hook of the store, as BigCommerce does
// after deliveries fail for about 48 hours.
func (f *Fake) DeactivateHooks(hash string) {
	f.Do(hash, func(s *Store) {
		for _, h := range s.Hooks {
			h.Active = false
		}
	})
}

func (s *Store) product(id int64) *Product {
	for _, p := range s.Products {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// route serves the login host (/oauth2/token) and the API host
// (/stores/{hash}/v2|v3/…).
func (f *Fake) route(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/oauth2/token" {
		f.token(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/stores/")
	hash, path, found := strings.Cut(rest, "/")
	if !ok || !found {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	f.serveAPI(w, r, hash, "/"+path)
	if f.Answered != nil {
		f.Answered(r)
	}
}

// serveAPI answers an API request under the fake's lock.
func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request, hash, path string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.apiStatus != 0 {
		writeError(w, f.apiStatus, http.StatusText(f.apiStatus))
		return
	}
	s, ok := f.stores[hash]
	if !ok || s.Token == "" || r.Header.Get("X-Auth-Token") != s.Token {
		writeError(w, http.StatusUnauthorized, "You are not authorized to access this store")
		return
	}
	s.Requests++
	if !f.admit(w, s) {
		return
	}
	for prefix, title := range s.Forbidden {
		if strings.HasPrefix(path, prefix) {
			writeError(w, http.StatusForbidden, title)
			return
		}
	}
	f.api(w, r, s, path)
}

// admit applies the store's rate limit and sets the rate-limit headers.
func (f *Fake) admit(w http.ResponseWriter, s *Store) bool {
	now := f.Now()
	if now.Sub(s.windowStart) >= f.Window {
		s.windowStart, s.used = now, 0
	}
	reset := f.Window - now.Sub(s.windowStart)
	h := w.Header()
	h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(f.Window.Milliseconds(), 10))
	h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(reset.Milliseconds(), 10))
	h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(f.Quota))
	if s.used >= f.Quota {
		s.Throttled++
		h.Set("X-Rate-Limit-Requests-Left", "0")
		writeError(w, http.StatusTooManyRequests, "Too many requests")
		return false
	}
	s.used++
	h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(f.Quota-s.used))
	return true
}
