package bigcommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Inventory tracking modes of a BigCommerce product.
const (
	TrackingNone    = "none"    // stock is not tracked: always available
	TrackingProduct = "product" // one stock for the product, shared by its variants
	TrackingVariant = "variant" // each variant has its own stock
)

// apiProduct is a v3 catalog product with its variants and images.
type apiProduct struct {
	ID                int64        `json:"id"`
	Name              string       `json:"name"`
	SKU               string       `json:"sku"`
	Price             json.Number  `json:"price"`
	InventoryLevel    int          `json:"inventory_level"`
	InventoryTracking string       `json:"inventory_tracking"`
	IsVisible         bool         `json:"is_visible"`
	Availability      string       `json:"availability"` // available, disabled, preorder
	BaseVariantID     int64        `json:"base_variant_id"`
	DateModified      string       `json:"date_modified"`
	CustomURL         apiCustomURL `json:"custom_url"`
	Variants          []apiVariant `json:"variants"`
	Images            []apiImage   `json:"images"`
}

type apiCustomURL struct {
	URL string `json:"url"`
}

type apiImage struct {
	IsThumbnail bool   `json:"is_thumbnail"`
	URLStandard string `json:"url_standard"`
}

// apiVariant is a v3 variant; its id is the id the storefront's
// option-change answer calls v3_variant_id.
type apiVariant struct {
	ID                 int64            `json:"id"`
	ProductID          int64            `json:"product_id"`
	SKU                string           `json:"sku"`
	SKUID              *int64           `json:"sku_id"`
	Price              *json.Number     `json:"price"`
	CalculatedPrice    json.Number      `json:"calculated_price"`
	InventoryLevel     int              `json:"inventory_level"`
	PurchasingDisabled bool             `json:"purchasing_disabled"`
	ImageURL           string           `json:"image_url"`
	OptionValues       []apiOptionValue `json:"option_values"`
}

type apiOptionValue struct {
	Label             string `json:"label"`
	OptionDisplayName string `json:"option_display_name"`
}

// apiInventoryItem is one item of the Inventory API with its levels at
// each location.
type apiInventoryItem struct {
	Identity struct {
		SKU       string `json:"sku"`
		VariantID int64  `json:"variant_id"`
		ProductID int64  `json:"product_id"`
	} `json:"identity"`
	Locations []apiLocationLevel `json:"locations"`
}

type apiLocationLevel struct {
	LocationID      int64 `json:"location_id"`
	AvailableToSell int   `json:"available_to_sell"`
	LocationEnabled *bool `json:"location_enabled"`
}

// apiHook is a webhook subscription.
type apiHook struct {
	ID          int64             `json:"id,omitempty"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
}

// apiStore is the v2 store information.
type apiStore struct {
	Name      string `json:"name"`
	Domain    string `json:"domain"`
	SecureURL string `json:"secure_url"`
	// Currency is the store's default currency code ("USD"), the
	// currency of its catalog's prices.
	Currency string `json:"currency"`
}

// apiOrder and apiOrderProduct are the v2 order and its lines.
type apiOrder struct {
	ID             int64  `json:"id"`
	DateCreated    string `json:"date_created"`
	CurrencyCode   string `json:"currency_code"`
	TotalIncTax    string `json:"total_inc_tax"`
	BillingAddress struct {
		Email string `json:"email"`
		Phone string `json:"phone"`
	} `json:"billing_address"`
}

type apiOrderProduct struct {
	ProductID   int64  `json:"product_id"`
	VariantID   int64  `json:"variant_id"`
	Quantity    int    `json:"quantity"`
	PriceIncTax string `json:"price_inc_tax"`
}

// session is an installed store with its opened access token.
type session struct {
	client *Client
	store  string // the store hash
	token  string
}

func (s *session) call(method, path string, query url.Values, body any) call {
	return call{store: s.store, token: s.token, method: method, path: path, query: query, body: body}
}

// product reads one product with its variants and images. Returns
// ENOTFOUND when the store no longer has it.
func (s *session) product(ctx context.Context, id int64) (*apiProduct, error) {
	var answer struct {
		Data apiProduct `json:"data"`
	}
	q := url.Values{"include": {"variants,images"}}
	if err := s.client.do(ctx, s.call(http.MethodGet, "/v3/catalog/products/"+strconv.FormatInt(id, 10), q, nil), &answer); err != nil {
		return nil, err
	}
	return &answer.Data, nil
}

// eachProducts pages through the catalog, variants and images included,
// by id (keyset paging): each page asks for the products whose id is
// greater than the last of the page before, sorted by id, until a page
// comes back short. A product created or deleted while the list is read
// shifts no later page, so no product the store still has is skipped (a
// page number would skip one for every deletion before it).
func (s *session) eachProducts(ctx context.Context, fn func([]apiProduct) error) error {
	q := url.Values{"include": {"variants,images"}, "sort": {"id"}, "direction": {"asc"}, "limit": {strconv.Itoa(pageSize)}}
	for after := int64(0); ; {
		if after > 0 {
			q.Set("id:greater", strconv.FormatInt(after, 10))
		}
		var page listPage[apiProduct]
		if err := s.client.do(ctx, s.call(http.MethodGet, "/v3/catalog/products", q, nil), &page); err != nil {
			return err
		}
		if len(page.Data) > 0 {
			if err := fn(page.Data); err != nil {
				return err
			}
		}
		if len(page.Data) < pageSize {
			return nil
		}
		last := page.Data[len(page.Data)-1].ID
		if last <= after {
			return fmt.Errorf("bigcommerce product list: page after id %d ends at id %d, not sorted by id", after, last)
		}
		after = last
	}
}

// inventory reads the Inventory API's items of the products, every page,
// and BigCommerce's clock when it answered the first page (the platform's
// time of the levels read).
func (s *session) inventory(ctx context.Context, productIDs []int64) ([]apiInventoryItem, time.Time, error) {
	ids := make([]string, len(productIDs))
	for i, id := range productIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	var items []apiInventoryItem
	var at time.Time
	k := s.call(http.MethodGet, "/v3/inventory/items", url.Values{"product_id:in": {strings.Join(ids, ",")}}, nil)
	k.answeredAt = &at
	first := at
	err := eachPage(ctx, s.client, k, func(page []apiInventoryItem) error {
		if first.IsZero() {
			first = at
		}
		items = append(items, page...)
		return nil
	})
	return items, first, err
}

func (s *session) storeInfo(ctx context.Context) (*apiStore, error) {
	var info apiStore
	return &info, s.client.do(ctx, s.call(http.MethodGet, "/v2/store", nil, nil), &info)
}

func (s *session) hooks(ctx context.Context) ([]apiHook, error) {
	var hooks []apiHook
	err := eachPage(ctx, s.client, s.call(http.MethodGet, "/v3/hooks", nil, nil), func(page []apiHook) error {
		hooks = append(hooks, page...)
		return nil
	})
	return hooks, err
}

func (s *session) createHook(ctx context.Context, h apiHook) error {
	return s.client.do(ctx, s.call(http.MethodPost, "/v3/hooks", nil, h), nil)
}

func (s *session) updateHook(ctx context.Context, h apiHook) error {
	id := h.ID
	h.ID = 0
	return s.client.do(ctx, s.call(http.MethodPut, "/v3/hooks/"+strconv.FormatInt(id, 10), nil, h), nil)
}

// order reads a v2 order and every page of its lines. Returns ENOTFOUND
// when the store has no such order.
func (s *session) order(ctx context.Context, id int64) (*apiOrder, []apiOrderProduct, error) {
	var order apiOrder
	path := "/v2/orders/" + strconv.FormatInt(id, 10)
	if err := s.client.do(ctx, s.call(http.MethodGet, path, nil, nil), &order); err != nil {
		return nil, nil, err
	}
	var lines []apiOrderProduct
	err := eachV2Page(ctx, s.client, s.call(http.MethodGet, path+"/products", nil, nil), func(page []apiOrderProduct) error {
		lines = append(lines, page...)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &order, lines, nil
}
