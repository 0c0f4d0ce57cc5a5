package prestashoptest

import (
	"cmp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// defaultCurrencyID is the id of the shop's default currency row.
const defaultCurrencyID = 2

// The customer groups of a visitor not signed in (PS_UNIDENTIFIED_GROUP)
// and of a signed-in customer (PS_CUSTOMER_GROUP), as PrestaShop installs
// them.
const visitorGroup, defaultCustomerGroup = 1, 3

// row is one resource row as PrestaShop's JSON writes it.
type row map[string]any

func str(n int64) string { return strconv.FormatInt(n, 10) }

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// lang is a multilingual field: one value per language.
func lang(v string) []map[string]string { return []map[string]string{{"id": "1", "value": v}} }

// rows returns every row of a resource, in id order (unless Unordered).
func (f *Fake) rows(resource, host string) ([]row, bool) {
	var out []row
	switch resource {
	case "products":
		for _, p := range f.shop.Products {
			out = append(out, productRow(p))
		}
	case "combinations":
		for _, p := range f.shop.Products {
			for _, c := range p.Combinations {
				out = append(out, combinationRow(p, c))
			}
		}
	case "stock_availables":
		out = f.stockRows()
	case "product_option_values":
		for id, name := range f.shop.OptionValues {
			out = append(out, row{"id": id, "id_attribute_group": "1", "name": lang(name)})
		}
	case "configurations":
		out = []row{{"id": int64(1), "name": "PS_ORDER_OUT_OF_STOCK", "value": boolStr(f.shop.AllowOrders)},
			{"id": int64(2), "name": "PS_STOCK_MANAGEMENT", "value": boolStr(f.shop.StockManagement)},
			{"id": int64(3), "name": "PS_CURRENCY_DEFAULT", "value": str(defaultCurrencyID)},
			{"id": int64(4), "name": "PS_UNIDENTIFIED_GROUP", "value": str(visitorGroup)},
			{"id": int64(5), "name": "PS_CUSTOMER_GROUP", "value": str(defaultCustomerGroup)}}
	case "currencies":
		// The default currency is not the first: the configuration's id is followed.
		out = []row{{"id": int64(1), "iso_code": "XTS", "name": "Other"},
			{"id": int64(defaultCurrencyID), "iso_code": cmp.Or(f.shop.Currency, "EUR"), "name": "Default"}}
	case "shops", "shop_groups", "shop_urls":
		out = f.shopRows(resource, host)
	default:
		return nil, false
	}
	if !f.shop.Unordered {
		sort.Slice(out, func(i, j int) bool { return out[i]["id"].(int64) < out[j]["id"].(int64) })
	}
	return out, true
}

func productRow(p *Product) row {
	var combos []map[string]string
	for _, c := range p.Combinations {
		combos = append(combos, map[string]string{"id": str(c.ID)})
	}
	return row{"id": p.ID, "id_default_image": str(p.ImageID), "reference": p.Reference, "price": p.Price,
		"active": boolStr(p.Active), "name": lang(p.Name), "link_rewrite": lang(strings.ToLower(strings.ReplaceAll(p.Name, " ", "-"))),
		"date_upd": p.Updated.UTC().Format(time.DateTime), "associations": map[string]any{"combinations": combos}}
}

func combinationRow(p *Product, c *Combination) row {
	var values []map[string]string
	for _, v := range c.OptionValues {
		values = append(values, map[string]string{"id": str(v)})
	}
	return row{"id": c.ID, "id_product": str(p.ID), "reference": c.Reference, "price": c.Price, "quantity": str(int64(c.Quantity)),
		"associations": map[string]any{"product_option_values": values}}
}

// stockRows are the stock_availables of every owner (multistore.go): for
// each, one per product (attribute 0, the sum of its combinations' when it
// has some) and one per combination.
func (f *Fake) stockRows() []row {
	var out []row
	id := int64(0)
	add := func(p *Product, attribute int64, owner StockOwner, quantity int) {
		id++
		out = append(out, row{"id": id, "id_product": str(p.ID), "id_product_attribute": str(attribute), "id_shop": str(owner.Shop),
			"id_shop_group": str(owner.Group), "quantity": str(int64(quantity)), "depends_on_stock": "0", "out_of_stock": str(int64(p.OutOfStock)), "location": ""})
	}
	owners := f.shop.owners()
	for _, p := range f.shop.Products {
		for _, owner := range owners {
			total := quantityOf(p.Quantity, p.Stocks, owner)
			if len(p.Combinations) > 0 {
				total = 0
				for _, c := range p.Combinations {
					total += quantityOf(c.Quantity, c.Stocks, owner)
				}
			}
			add(p, 0, owner, total)
			for _, c := range p.Combinations {
				add(p, c.ID, owner, quantityOf(c.Quantity, c.Stocks, owner))
			}
		}
	}
	return out
}
