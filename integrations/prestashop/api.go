package prestashop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// number is a webservice number, which PrestaShop's JSON spells as a
// number or as a string ("12", and "" or null for none, read as 0).
type number int64

// UnmarshalJSON reads 12, "12", "", null.
func (n *number) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("prestashop: %s is not a whole number", b)
	}
	*n = number(v)
	return nil
}

// text is a webservice text field: a plain string, or a multilingual
// field as a list of {id, value} per language (the first is kept: the
// shop's default language comes first).
type text string

// UnmarshalJSON reads "x" and [{"id":"1","value":"x"},…].
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var langs []struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(b, &langs); err != nil {
			return err
		}
		*t = ""
		if len(langs) > 0 {
			*t = text(langs[0].Value)
		}
		return nil
	}
	var s string
	if string(b) != "null" {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	*t = text(s)
	return nil
}

// ref is an associated resource's id.
type ref struct {
	ID number `json:"id"`
}

// apiProduct is a row of /api/products (display=full): price is before
// tax, ShopperPrice the price the webservice computed (priceQuery; "" when
// it computed none).
type apiProduct struct {
	ID             number `json:"id"`
	Name           text   `json:"name"`
	LinkRewrite    text   `json:"link_rewrite"`
	Reference      string `json:"reference"`
	Price          string `json:"price"`
	Active         number `json:"active"`
	IDDefaultImage number `json:"id_default_image"`
	DateUpd        string `json:"date_upd"`
	ShopperPrice   string `json:"shopper_price"` // shopperPriceField
}

// apiCombination is a row of /api/combinations (display=full): price is
// the impact on the product's price before tax, ShopperPrice the
// combination's whole price the webservice computed (priceQuery).
type apiCombination struct {
	ID           number `json:"id"`
	IDProduct    number `json:"id_product"`
	Reference    string `json:"reference"`
	Price        string `json:"price"`
	ShopperPrice string `json:"shopper_price"` // shopperPriceField
	Associations struct {
		OptionValues []ref `json:"product_option_values"`
	} `json:"associations"`
}

// apiStock is a row of /api/stock_availables: one product (attribute 0)
// or combination's quantity and its out-of-stock policy.
type apiStock struct {
	ID                 number `json:"id"`
	IDProduct          number `json:"id_product"`
	IDProductAttribute number `json:"id_product_attribute"`
	// IDShop and IDShopGroup say whose stock the row is (see stockOwner).
	IDShop      number `json:"id_shop"`
	IDShopGroup number `json:"id_shop_group"`
	Quantity    number `json:"quantity"`
	OutOfStock  number `json:"out_of_stock"`
}

// apiOptionValue is a row of /api/product_option_values ("Small", "Red").
type apiOptionValue struct {
	ID   number `json:"id"`
	Name text   `json:"name"`
}

// apiConfiguration is a row of /api/configurations.
type apiConfiguration struct {
	Name  string `json:"name"`
	Value text   `json:"value"`
}

// Out-of-stock policies of stock_availables.out_of_stock.
const (
	outOfStockDeny        = 0
	outOfStockAllow       = 1
	outOfStockShopDefault = 2
)

// shopSettings are the shop-wide settings stock depends on.
type shopSettings struct {
	// allowOrders is PS_ORDER_OUT_OF_STOCK: what out_of_stock 2 means.
	allowOrders bool
	// stockManaged is PS_STOCK_MANAGEMENT: without it nothing is tracked.
	stockManaged bool
	// currencyID is PS_CURRENCY_DEFAULT: the currencies row of the shop's
	// default currency, that of its prices (0: not said).
	currencyID int64
	// visitorGroup is PS_UNIDENTIFIED_GROUP: the customer group of a
	// visitor not signed in, whose prices alerts give (0: not said).
	visitorGroup int64
	// owner is whose stock rows are the connected shop's (zero: not known).
	owner stockOwner
	// ownerKept is an owner kept from an earlier read (OwnerTTL), not read
	// for this one.
	ownerKept bool
}

// apiCurrency is a row of the currencies resource.
type apiCurrency struct {
	ISOCode string `json:"iso_code"`
}

// policy resolves a row's out_of_stock: a product that takes orders when
// out of stock (itself, or through the shop default) keeps selling, and
// is never sold out.
func (s shopSettings) policy(outOfStock number) stockbell.InventoryPolicy {
	if outOfStock == outOfStockAllow || (outOfStock == outOfStockShopDefault && s.allowOrders) {
		return stockbell.InventoryContinue
	}
	return stockbell.InventoryDeny
}

// price is PrestaShop's six-decimal price text ("23.900000") as an amount,
// plus an impact ("0.000000", "-2.5"); "" when it cannot be read.
func price(base string, impact string) string {
	a, err := stockbell.ParseAmount(trimDecimals(base))
	if err != nil {
		return ""
	}
	if b, err := stockbell.ParseAmount(trimDecimals(impact)); err == nil {
		a += b
	}
	return a.String()
}

// trimDecimals drops decimals beyond the fourth ("23.900000" → "23.9000").
func trimDecimals(s string) string {
	whole, frac, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return whole
	}
	return whole + "." + frac[:min(len(frac), 4)]
}
