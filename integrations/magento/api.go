package magento

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// PageSize is how many products one catalog page asks for.
const PageSize = 100

// apiProduct is a product of /V1/products and of a configurable product's
// /children.
type apiProduct struct {
	ID               int64          `json:"id"`
	SKU              string         `json:"sku"`
	Name             string         `json:"name"`
	TypeID           string         `json:"type_id"`
	Status           int            `json:"status"`     // 1 enabled, 2 disabled
	Visibility       int            `json:"visibility"` // 1 not visible individually
	Price            float64        `json:"price"`
	UpdatedAt        string         `json:"updated_at"`
	CustomAttributes []apiAttribute `json:"custom_attributes"`
	Extension        apiExtension   `json:"extension_attributes"`
}

type apiAttribute struct {
	Code  string `json:"attribute_code"`
	Value any    `json:"value"`
}

// attribute returns a custom attribute's value as text (attributeText).
func (p *apiProduct) attribute(code string) string {
	for _, a := range p.CustomAttributes {
		if a.Code == code {
			return attributeText(a.Value)
		}
	}
	return ""
}

// updatedAt reads Magento's updated_at (database time, UTC).
func (p *apiProduct) updatedAt() time.Time {
	t, _ := time.ParseInLocation(time.DateTime, p.UpdatedAt, time.UTC)
	return t
}

type productPage struct {
	Items      []apiProduct `json:"items"`
	TotalCount int          `json:"total_count"`
}

// apiStockItem is /V1/stockItems/{sku}: the legacy (single-source) stock.
type apiStockItem struct {
	Qty         float64 `json:"qty"`
	IsInStock   bool    `json:"is_in_stock"`
	ManageStock bool    `json:"manage_stock"`
	Backorders  int     `json:"backorders"` // 0 none, 1 allowed, 2 allowed and notify
}

// apiSourceItem is one item of /V1/inventory/source-items (MSI).
type apiSourceItem struct {
	SKU        string  `json:"sku"`
	SourceCode string  `json:"source_code"`
	Quantity   float64 `json:"quantity"`
	Status     int     `json:"status"` // 1 in stock
}

type sourceItemPage struct {
	Items      []apiSourceItem `json:"items"`
	TotalCount int             `json:"total_count"`
}

// apiSource is one source of /V1/inventory/sources (MSI).
type apiSource struct {
	SourceCode string `json:"source_code"`
	Enabled    bool   `json:"enabled"`
}

type sourcePage struct {
	Items      []apiSource `json:"items"`
	TotalCount int         `json:"total_count"`
}

// eachProductPage calls fn with every page of /V1/products, read by
// keyset: sorted by entity_id ascending, each page asking for the ids
// above the last one seen, until a short page. Offset paging
// (currentPage) would skip a product whenever one before it is deleted
// while the sync pages, and the sync would then mark the skipped one
// deleted. A store that does not honour the filter and the sort (ids not
// rising above the last one) ends the listing with EUPSTREAM, so an
// incomplete listing never marks anything deleted.
func (c *Client) eachProductPage(ctx context.Context, cred Credentials, fn func([]apiProduct) error) error {
	var last int64
	for {
		var answer productPage
		if err := c.get(ctx, cred, "/products", keysetQuery("entity_id", last, PageSize), &answer); err != nil {
			return err
		}
		for _, p := range answer.Items {
			if p.ID <= last {
				return stockbell.Errorf(stockbell.EUPSTREAM, "The Magento store listed product %d after %d: it ignored the entity_id filter or sort order.", p.ID, last)
			}
			last = p.ID
		}
		if err := fn(answer.Items); err != nil {
			return err
		}
		if len(answer.Items) < PageSize {
			return nil
		}
	}
}

// product reads one product by SKU.
func (c *Client) product(ctx context.Context, cred Credentials, sku string) (*apiProduct, error) {
	var p apiProduct
	err := c.get(ctx, cred, "/products/"+url.PathEscape(sku), nil, &p)
	return &p, err
}

// apiCurrency is the store's currency information.
type apiCurrency struct {
	BaseCurrencyCode string `json:"base_currency_code"`
}

// baseCurrency reads the store's base currency, that of its catalog
// prices (GET /V1/directory/currency, a resource open to anyone: no ACL
// resource is needed).
func (c *Client) baseCurrency(ctx context.Context, cred Credentials) (string, error) {
	var info apiCurrency
	err := c.get(ctx, cred, "/directory/currency", nil, &info)
	return info.BaseCurrencyCode, err
}

// children reads a configurable product's simple products.
func (c *Client) children(ctx context.Context, cred Credentials, sku string) ([]apiProduct, error) {
	var out []apiProduct
	err := c.get(ctx, cred, "/configurable-products/"+url.PathEscape(sku)+"/children", nil, &out)
	return out, err
}

// stock is what a read found for one SKU.
type stock struct {
	levels  []stockbell.LocationLevel
	tracked bool
	policy  stockbell.InventoryPolicy
}

// stockOf reads a SKU's stock: its stock item (tracking and backorders),
// and its source items when the store runs multi-source inventory (one
// level per source, leaving out the disabled sources, whose quantities
// Magento's salable quantity leaves out too; with every source disabled,
// no level); otherwise the stock item's quantity at the default source.
func (c *Client) stockOf(ctx context.Context, cred Credentials, sku string, disabled disabledSources) (stock, error) {
	var item apiStockItem
	if err := c.get(ctx, cred, "/stockItems/"+url.PathEscape(sku), nil, &item); err != nil {
		return stock{}, err
	}
	s := stock{tracked: item.ManageStock, policy: stockbell.InventoryDeny}
	if item.Backorders > 0 {
		s.policy = stockbell.InventoryContinue
	}
	sources, err := c.sourceItems(ctx, cred, sku)
	if err != nil {
		return stock{}, err
	}
	if len(sources) == 0 {
		s.levels = []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation, Available: available(item.Qty, item.IsInStock)}}
		return s, nil
	}
	s.levels = []stockbell.LocationLevel{}
	for _, it := range sources {
		if !disabled[it.SourceCode] {
			s.levels = append(s.levels, stockbell.LocationLevel{LocationID: it.SourceCode, Available: available(it.Quantity, it.Status == 1)})
		}
	}
	return s, nil
}

// disabledSources are the source codes of a store's disabled MSI sources.
// Magento still lists their source items, but counts no quantity of
// theirs as salable.
type disabledSources map[string]bool

// disabledSources reads the store's sources, every page, and returns the
// disabled ones; none when the store has no multi-source inventory (the
// endpoint is missing).
func (c *Client) disabledSources(ctx context.Context, cred Credentials) (disabledSources, error) {
	out := disabledSources{}
	for page, seen := 1, 0; ; page++ {
		q := searchQuery(PageSize)
		q.Set("searchCriteria[currentPage]", strconv.Itoa(page))
		var answer sourcePage
		err := c.get(ctx, cred, "/inventory/sources", q, &answer)
		if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		for _, s := range answer.Items {
			if !s.Enabled {
				out[s.SourceCode] = true
			}
		}
		// Magento answers a page past the last with the last one again.
		if seen += len(answer.Items); len(answer.Items) < PageSize || seen >= answer.TotalCount {
			return out, nil
		}
	}
}

// sourceItems reads a SKU's MSI source items; none when the store has no
// multi-source inventory (the endpoint is missing).
func (c *Client) sourceItems(ctx context.Context, cred Credentials, sku string) ([]apiSourceItem, error) {
	var answer sourceItemPage
	err := c.get(ctx, cred, "/inventory/source-items", searchQuery(PageSize, searchFilter{"sku", "eq", sku}), &answer)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, nil
	}
	var mine []apiSourceItem
	for _, it := range answer.Items {
		if strings.EqualFold(it.SKU, sku) {
			mine = append(mine, it)
		}
	}
	return mine, err
}
