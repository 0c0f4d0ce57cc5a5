package prestashop

import (
	"encoding/json"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TopicStockUpdate is the topic of the module's posts: PrestaShop's
// actionUpdateQuantity hook.
const TopicStockUpdate = "actionUpdateQuantity"

// StockPost is what the module posts on actionUpdateQuantity: the shop (its
// base URL), the product and combination (0 for the product itself), the
// new quantity and PrestaShop's time of the change (RFC 3339). Numbers may
// be strings.
type StockPost struct {
	Shop               string  `json:"shop"`
	IDProduct          number  `json:"id_product"`
	IDProductAttribute number  `json:"id_product_attribute"`
	Quantity           *number `json:"quantity"`
	UpdatedAt          string  `json:"updated_at"`
}

// VariantID is the variant the post is about.
func (p *StockPost) VariantID() string {
	return stockbell.PrestaShopVariantID(int64(p.IDProduct), int64(p.IDProductAttribute))
}

// Available is the post's quantity as a level Stockbell stores (within
// ±stockbell.MaxAvailable).
func (p *StockPost) Available() int {
	return stockbell.ClampAvailable(int64(*p.Quantity))
}

// ParseStockPost reads a module's post, EINVALID naming the field that is
// missing or malformed.
func ParseStockPost(body []byte) (*StockPost, time.Time, error) {
	var p StockPost
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, time.Time{}, stockbell.FieldErrorf("body", "The post is not the Stockbell module's JSON: %v", err)
	}
	at, err := time.Parse(time.RFC3339, p.UpdatedAt)
	switch {
	case strings.TrimSpace(p.Shop) == "":
		return nil, at, stockbell.FieldErrorf("shop", "The post names no shop.")
	case p.IDProduct <= 0:
		return nil, at, stockbell.FieldErrorf("id_product", "The post names no product.")
	case p.IDProductAttribute < 0:
		return nil, at, stockbell.FieldErrorf("id_product_attribute", "The combination id cannot be negative.")
	case p.Quantity == nil:
		return nil, at, stockbell.FieldErrorf("quantity", "The post carries no quantity.")
	case err != nil:
		return nil, at, stockbell.FieldErrorf("updated_at", "updated_at %q is not an RFC 3339 time such as 2026-03-01T12:00:00+01:00.", p.UpdatedAt)
	}
	return &p, at.UTC(), nil
}
