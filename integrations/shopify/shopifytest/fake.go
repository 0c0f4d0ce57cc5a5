// Package shopifytest plays Shopify on a loopback HTTP server for tests:
// the OAuth authorize and token endpoints (code grant and session-token
// exchange; expiring tokens with their rotating refresh and the migration
// of non-expiring ones, see tokens.go), the GraphQL Admin API (products, variants, inventory levels,
// webhook subscriptions) with cursor paging and cost-based throttling, and
// signed webhooks. Every shop lives under /{shop}/ on the fake,
// so STOCKBELL_SHOPIFY_ADMIN_URL = fake.AdminURL() ("http://127.0.0.1:N/{shop}").
package shopifytest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/stockbell/stockbell/integrations/shopify"
)

// Fake is a loopback Shopify.
type Fake struct {
	APIKey string
	Secret string
	// APIVersion is the Admin API version the fake answers under
	// (/admin/api/{version}/graphql.json): shopify.APIVersion.
	APIVersion string
	Clock      *Clock
	// Bucket sizes the cost-based throttle of every shop.
	MaximumAvailable float64
	RestoreRate      float64
	// QueryCost is the requested (and actual) cost of each GraphQL query.
	QueryCost float64
	// AppScopes are the scopes the app is configured with (shopify.app.toml):
	// what a session-token exchange grants.
	AppScopes string
	// GrantScopes, when set, replaces the scopes granted at the token endpoint.
	GrantScopes string
	// NoProtectedCustomerData plays an app not approved for protected
	// customer data: Shopify then refuses the order topics.
	NoProtectedCustomerData bool
	// TokenStatus, when not zero, makes the token endpoint fail with it.
	TokenStatus int
	// TokenReply, when its Status is not zero, is the token endpoint's
	// answer, whatever the request (a misbehaving endpoint).
	TokenReply TokenReply
	// RefuseNonExpiring plays Shopify from January 1, 2027: the Admin API
	// refuses non-expiring offline tokens (401).
	RefuseNonExpiring bool
	// TokenLifetime and RefreshTokenLifetime are the lifetimes of the
	// expiring tokens the token endpoint issues (default 1 hour, 90 days).
	TokenLifetime, RefreshTokenLifetime time.Duration
	// OmitLevelUpdatedAt leaves updatedAt out of every inventory level
	// read, to play a read that carries no time of the level.
	OmitLevelUpdatedAt bool
	// AdminStatus, when not zero, makes the Admin API answer every request
	// with it (503: Shopify away).
	AdminStatus int
	// OmitFields names fields left out of every Admin API answer's data,
	// as if Shopify had not answered them: not null, absent. A dotted name
	// is a path within the data, through each element of a list on the
	// way: productVariants.nodes.inventoryItem leaves out every listed
	// variant's item.
	OmitFields []string
	// Answered, when set, is called with each Admin API query's document
	// after it is answered and the fake's lock released, before the app
	// reads the answer's end: a test changes the shop, or sends a webhook,
	// between the app's calls (a product created while a catalog listing
	// is in flight).
	Answered func(query string)

	server *httptest.Server
	mu     sync.Mutex
	shops  map[string]*Shop
	codes  map[string]pendingCode
}

type pendingCode struct{ shop, scope string }

// Shop is one fake shop's state.
type Shop struct {
	Domain string
	// Name, PrimaryDomain, Currency and Email answer the Admin API's shop
	// query (Currency is its currencyCode; USD when not set, and Email
	// owner@ the shop's domain, as neither field is ever null).
	Name          string
	PrimaryDomain string
	Currency      string
	Email         string
	Token         string
	Scope         string
	// TokenExpiresAt is when Token expires by the fake's clock; zero for
	// a non-expiring token.
	TokenExpiresAt time.Time
	// RefreshToken refreshes an expiring Token until
	// RefreshTokenExpiresAt. PreviousRefreshToken, the one it replaced,
	// stays valid until RefreshToken is used (Shopify since August 2026).
	RefreshToken          string
	PreviousRefreshToken  string
	RefreshTokenExpiresAt time.Time
	// MigratedFrom is the non-expiring token the current expiring pair
	// was exchanged for; retrying that exchange answers the same pair
	// until the pair is refreshed.
	MigratedFrom string
	// Refreshes counts refresh grants answered with a new pair,
	// RefusedRefreshes those refused; Migrations counts migration exchanges.
	Refreshes, RefusedRefreshes, Migrations int
	Products                                []*Product
	Webhooks                                []Subscription
	// AppMetafields are the app-data metafields of the app's installation,
	// by namespace.key, as metafieldsSet stored them.
	AppMetafields map[string]string
	// Deprecated lists the X-Shopify-API-Deprecated-Reason of each answer
	// that had one (the deprecated fields the query asked for).
	Deprecated []string
	// GraphQLCalls counts Admin API requests, Throttled those refused.
	GraphQLCalls int
	Throttled    int
	available    float64
	refilledAt   time.Time
}

// Product is a fake product.
type Product struct {
	ID        int64
	Title     string
	Handle    string
	Status    string // ACTIVE, DRAFT or ARCHIVED
	Published bool
	ImageURL  string
	UpdatedAt time.Time
	Variants  []*Variant
}

// Variant is a fake variant with its inventory item's levels. Variants
// with the same InventoryItemID share that item, as a combined listing's
// parent and child variants do: its tracking and levels are those of the
// shop's first variant carrying it (in product order), and the others'
// Tracked and Levels are not read.
type Variant struct {
	ID              int64
	Title           string
	SKU             string
	Price           string
	Policy          string // DENY or CONTINUE
	InventoryItemID int64
	Tracked         bool
	Levels          []Level
}

// Level is an available quantity at a location. UpdatedAt is when it last
// changed by the fake's clock, answered as InventoryLevel.updatedAt in
// whole seconds, as Shopify does; zero answers the product's UpdatedAt.
type Level struct {
	LocationID int64
	Available  int
	UpdatedAt  time.Time
}

// Subscription is a webhook subscription created through the Admin API.
type Subscription struct {
	ID    int64
	Topic string // e.g. INVENTORY_LEVELS_UPDATE
	URI   string
}

// New starts a fake with a 1000-point bucket restoring 50 points a second.
func New(clock *Clock) *Fake {
	f := &Fake{
		APIKey: "fake-api-key", Secret: "fake-api-secret", APIVersion: shopify.APIVersion, Clock: clock,
		AppScopes:        "read_products,read_inventory,read_orders",
		MaximumAvailable: 1000, RestoreRate: 50, QueryCost: 10,
		shops: map[string]*Shop{}, codes: map[string]pendingCode{},
	}
	f.server = httptest.NewServer(http.HandlerFunc(f.route))
	return f
}

// Close stops the server.
func (f *Fake) Close() { f.server.Close() }

// URL is the fake's base URL.
func (f *Fake) URL() string { return f.server.URL }

// AdminURL is the admin URL template to configure: URL()/{shop}.
func (f *Fake) AdminURL() string { return f.server.URL + "/{shop}" }

// Client returns an HTTP client that does not follow redirects, so tests
// see each hop of the install.
func (f *Fake) Client() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Shop returns the named shop, creating it when new.
func (f *Fake) Shop(domain string) *Shop {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.shopLocked(domain)
}

func (f *Fake) shopLocked(domain string) *Shop {
	s, ok := f.shops[domain]
	if !ok {
		s = &Shop{Domain: domain, available: f.MaximumAvailable, refilledAt: f.Clock.Now()}
		f.shops[domain] = s
	}
	return s
}

// Do runs fn on the shop's state under the fake's lock.
func (f *Fake) Do(domain string, fn func(s *Shop)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.shopLocked(domain))
}

// Omit sets OmitFields under the fake's lock: an Answered hook leaves
// fields out of the answers after the one it saw (an item's later pages).
func (f *Fake) Omit(fields ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.OmitFields = fields
}

// SetLevel sets an inventory item's available quantity at a location, as
// changed at the fake clock's now.
func (f *Fake) SetLevel(domain string, itemID, locationID int64, available int) {
	now := f.Clock.Now()
	f.Do(domain, func(s *Shop) {
		v := s.variantByItem(itemID)
		for i := range v.Levels {
			if v.Levels[i].LocationID == locationID {
				v.Levels[i].Available, v.Levels[i].UpdatedAt = available, now
				return
			}
		}
		v.Levels = append(v.Levels, Level{LocationID: locationID, Available: available, UpdatedAt: now})
	})
}

// DisconnectLevel removes an inventory item's level at a location (the
// location no longer stocks it).
func (f *Fake) DisconnectLevel(domain string, itemID, locationID int64) {
	f.Do(domain, func(s *Shop) {
		v := s.variantByItem(itemID)
		for i := range v.Levels {
			if v.Levels[i].LocationID == locationID {
				v.Levels = append(v.Levels[:i], v.Levels[i+1:]...)
				return
			}
		}
	})
}

// variantByItem returns the first variant carrying the inventory item: the
// one holding the item's tracking and levels.
func (s *Shop) variantByItem(itemID int64) *Variant {
	if vs := s.variantsOfItem(itemID); len(vs) > 0 {
		return vs[0]
	}
	return nil
}

// variantsOfItem returns every variant carrying the inventory item, in
// product order.
func (s *Shop) variantsOfItem(itemID int64) []*Variant {
	var out []*Variant
	for _, p := range s.Products {
		for _, v := range p.Variants {
			if v.InventoryItemID == itemID {
				out = append(out, v)
			}
		}
	}
	return out
}

func (s *Shop) productOf(v *Variant) *Product {
	for _, p := range s.Products {
		for _, pv := range p.Variants {
			if pv == v {
				return p
			}
		}
	}
	return nil
}

// route sends /{shop}/admin/... to the endpoint.
func (f *Fake) route(w http.ResponseWriter, r *http.Request) {
	shop, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case rest == "admin/oauth/authorize" && r.Method == http.MethodGet:
		f.authorize(w, r, shop)
	case rest == "admin/oauth/access_token" && r.Method == http.MethodPost:
		f.accessToken(w, r, shop)
	case rest == "admin/api/"+f.APIVersion+"/graphql.json" && r.Method == http.MethodPost:
		query := f.graphql(w, r, shop)
		if f.Answered != nil {
			f.Answered(query)
		}
	default:
		http.Error(w, `{"errors":"Not Found"}`, http.StatusNotFound)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// UninstallApp plays the merchant uninstalling the app: Shopify revokes
// the access token and deletes the app's webhook subscriptions. Sending
// app/uninstalled is left to the test.
func (f *Fake) UninstallApp(domain string) {
	f.Do(domain, func(s *Shop) {
		s.Token, s.Scope, s.Webhooks = "", "", nil
		s.RefreshToken, s.PreviousRefreshToken, s.MigratedFrom = "", "", ""
	})
}

// Drain empties the shop's cost bucket, as a burst of other calls would.
func (f *Fake) Drain(domain string) {
	f.Do(domain, func(s *Shop) { s.available, s.refilledAt = 0, f.Clock.Now() })
}

// TokenReply is a raw answer of the token endpoint.
type TokenReply struct {
	Status int
	Body   string
	// Location, when set, is sent as the answer's Location (a redirect).
	Location string
}
