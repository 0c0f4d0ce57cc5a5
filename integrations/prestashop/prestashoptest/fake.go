// Package prestashoptest plays a PrestaShop shop's webservice in tests, on
// loopback, as PrestaShop 8 and 9 answer with output_format=JSON: the key
// as the basic-auth user name with an empty password (401 with PrestaShop's
// error body and code otherwise, and per-resource permissions and shop
// association refused with PrestaShop's statuses and codes), numbers as strings
// (ids as numbers), multilingual names as [{"id","value"}], lists
// filtered, sorted and limited as the webservice reads filter[field]
// ([a|b], [a,b], [a], >[a], <[a], ![a], %[a]%), sort=[field_ASC] and
// limit=offset,count or limit=count, refusing a filter on an unknown field
// or an empty one, a malformed sort and a limit of three parts with
// PrestaShop's statuses, codes and words (query.go), [] for an empty
// answer, a Date header on every answer, and the prices the price
// parameters ask for (prices.go).
package prestashoptest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// Key is the fake's webservice key (32 letters and digits, as PrestaShop
// makes them).
const Key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456"

// Product is a product of the fake shop; without combinations its own
// stock row (attribute 0) is its stock.
type Product struct {
	ID        int64
	Name      string
	Reference string
	Price     string // six decimals, as PrestaShop stores it: "19.900000"
	// TaxRate is the rate of its tax rule in the shop's default country
	// ("20.000", as the taxes resource writes it; "" for none).
	TaxRate string
	// Reduction is a specific price of the catalog: a share taken off the
	// price with tax ("0.25", as specific_prices writes a percentage; ""
	// for none), for the customers of ReductionGroup (0: every group).
	Reduction      string
	ReductionGroup int64
	Active         bool
	ImageID        int64
	Updated        time.Time
	Quantity       int
	// OutOfStock is the product's policy: 0 deny, 1 allow, 2 the shop's default.
	OutOfStock int
	// Stocks are its quantities for owners other than the first shop's
	// stock, in a multistore; Quantity for an owner not listed.
	Stocks       map[StockOwner]int
	Combinations []*Combination
}

// Combination is one combination of a product.
type Combination struct {
	ID           int64
	Reference    string
	Price        string // the impact on the product's price
	OptionValues []int64
	Quantity     int
	// Stocks are its quantities for other owners, as Product.Stocks.
	Stocks map[StockOwner]int
}

// Shop is the fake shop's state; change it under Fake.Do.
type Shop struct {
	Products     []*Product
	OptionValues map[int64]string
	// AllowOrders is PS_ORDER_OUT_OF_STOCK, StockManagement PS_STOCK_MANAGEMENT.
	AllowOrders     bool
	StockManagement bool
	// Currency is the iso_code of the shop's default currency (the
	// currencies row PS_CURRENCY_DEFAULT names); EUR when not set.
	Currency string
	// Denied lists resources the key has no permission on (401, code 26),
	// NoGET those it may use but not GET (405, code 25).
	Denied map[string]bool
	NoGET  map[string]bool
	// KeyDisabled refuses the key, as PrestaShop refuses a key the
	// merchant disabled or deleted (401, code 20); OtherShop answers that
	// the key is not enabled for this shop of a multistore (403, code 132).
	KeyDisabled, OtherShop bool
	// WebserviceDisabled answers every request 503 with code 22, as
	// PrestaShop does while Advanced Parameters › Webservice › Enable
	// PrestaShop's webservice is off (WebserviceRequest::isActivated,
	// checked before the key).
	WebserviceDisabled bool
	// MainDomain, when set, is the only host the shop's URLs list: a
	// request to another host is redirected (301) to the same path on it,
	// as Shop::initialize sends a domain no shop_url lists to the main
	// one (example.com to www.example.com).
	MainDomain string
	// NoRewriting answers 404 under /api/, as the web server does when URL
	// rewriting is off (the webservice's rule is in .htaccess).
	NoRewriting bool
	// Unordered answers lists in the order the shop keeps its rows,
	// whatever the sort asked, as a webservice whose sort an override
	// module drops would.
	Unordered bool
	// PricesIgnored answers without the prices the price parameters ask
	// for, as a webservice whose override drops them would; PricesRefused
	// answers a request carrying them 403, as a firewall in front of the
	// shop refusing its bracketed parameters would (prices.go).
	PricesIgnored, PricesRefused bool
	// Storefronts and Groups make the installation a multistore
	// (multistore.go); without them it is one shop, 1, in group 1, which
	// does not share stock.
	Storefronts []Storefront
	Groups      []ShopGroup
}

// Fake is a PrestaShop webservice on loopback.
type Fake struct {
	// Prefix is the folder PrestaShop is installed in ("" at the root).
	Prefix string
	Now    func() time.Time

	srv        *httptest.Server
	mu         sync.Mutex
	shop       Shop
	requests   []string
	failures   int
	retryAfter string
	before     func(resource string, query url.Values)
}

// New starts a fake shop installed in prefix ("" or "/boutique").
func New(prefix string) *Fake {
	f := &Fake{Prefix: prefix, Now: time.Now, shop: Shop{OptionValues: map[int64]string{}, StockManagement: true, Denied: map[string]bool{}}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// URL is the shop's base URL.
func (f *Fake) URL() string { return f.srv.URL + f.Prefix }

// Close stops the fake.
func (f *Fake) Close() { f.srv.Close() }

// Do changes the shop under the fake's lock.
func (f *Fake) Do(fn func(s *Shop)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.shop)
}

// Requests returns the resource paths asked for so far, with their query.
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// FailNext answers the next n requests 503 Service Unavailable with the
// Retry-After header (seconds; "" for none), as a shop under maintenance or
// behind an overloaded host does.
func (f *Fake) FailNext(n int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures, f.retryAfter = n, retryAfter
}

// SetQuantity sets a product's (attribute 0) or a combination's quantity.
func (f *Fake) SetQuantity(productID, attributeID int64, quantity int) {
	f.Do(func(s *Shop) {
		for _, p := range s.Products {
			if p.ID != productID {
				continue
			}
			if attributeID == 0 {
				p.Quantity = quantity
			}
			for _, c := range p.Combinations {
				if c.ID == attributeID {
					c.Quantity = quantity
				}
			}
		}
	})
}

// BeforeAnswer has fn called with each request's resource and query
// before the fake reads its shop to answer it, outside the fake's lock (fn
// may call Do, or ask the fake itself): tests change the shop between the
// pages of a listing with it. nil stops it.
func (f *Fake) BeforeAnswer(fn func(resource string, query url.Values)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.before = fn
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", f.Now().UTC().Format(http.TimeFormat))
	f.mu.Lock()
	_, resource := f.storefrontAt(r.URL.Path)
	main := f.shop.MainDomain
	if f.shop.NoRewriting {
		resource = ""
	}
	f.mu.Unlock()
	if main != "" && r.Host != main {
		http.Redirect(w, r, "http://"+main+r.URL.RequestURI(), http.StatusMovedPermanently)
		return
	}
	if resource == "" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	before := f.before
	f.mu.Unlock()
	if before != nil {
		before(resource, r.URL.Query())
		w.Header().Set("Date", f.Now().UTC().Format(http.TimeFormat))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, resource+"?"+r.URL.RawQuery)
	if f.failures > 0 {
		f.failures--
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	if f.shop.PricesRefused && hasPrices(r.URL.Query()) {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	if f.shop.WebserviceDisabled {
		writeError(w, http.StatusServiceUnavailable, 22, "The PrestaShop webservice is disabled. Please activate it in the PrestaShop Back Office")
		return
	}
	if f.refuseKey(w, r) {
		return
	}
	shops, ok := f.contextShops(w, r, resource)
	if !ok {
		return
	}
	rows, known := f.rows(resource, r.Host)
	if resource == "stock_availables" {
		rows = f.visibleStock(rows, shops)
	}
	rows, priceErr := f.withPrices(resource, rows, r.URL.Query())
	switch {
	case f.shop.OtherShop:
		writeError(w, http.StatusForbidden, 132, "No permission for this key on this shop")
	case !known:
		writeError(w, http.StatusBadRequest, 27, "Resource of type \""+resource+"\" does not exists")
	case f.shop.Denied[resource]:
		writeError(w, http.StatusUnauthorized, 26, "Resource of type \""+resource+"\" is not allowed with this authentication key")
	case f.shop.NoGET[resource]:
		writeError(w, http.StatusMethodNotAllowed, 25, "Method GET is not allowed for the resource "+resource+" with this authentication key")
	case priceErr != nil: // a virtual field's name is checked as the rows are written
		writeError(w, priceErr.status, priceErr.code, priceErr.message)
	default:
		q := r.URL.Query()
		if f.shop.Unordered {
			q.Del("sort")
		}
		if rows, err := query(resource, rows, q); err != nil {
			writeError(w, err.status, err.code, err.message)
		} else {
			writeList(w, resource, rows)
		}
	}
}

// refuseKey answers 401 a request whose key PrestaShop does not accept,
// with its error: none, empty, not 32 characters, unknown or disabled.
func (f *Fake) refuseKey(w http.ResponseWriter, r *http.Request) bool {
	user, _, ok := r.BasicAuth()
	code, message := 0, ""
	switch {
	case !ok:
		code, message = 16, "Please enter the authentication key as the login. No password required"
	case user == "":
		code, message = 17, "Authentication key is empty"
	case len(user) != 32:
		code, message = 18, "Invalid authentication key format"
	case user != Key || f.shop.KeyDisabled:
		code, message = 20, "Authentification key is not active"
	default:
		return false
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="Welcome to PrestaShop Webservice, please enter the authentication key as the login. No password required."`)
	writeError(w, http.StatusUnauthorized, code, message)
	return true
}

func writeError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"code": code, "message": message}}})
}

// writeList answers {"resource":[…]}, or [] when nothing matched, as
// PrestaShop does.
func writeList(w http.ResponseWriter, resource string, rows []row) {
	w.Header().Set("Content-Type", "application/json")
	if len(rows) == 0 {
		w.Write([]byte("[]"))
		return
	}
	json.NewEncoder(w).Encode(map[string]any{resource: rows})
}
