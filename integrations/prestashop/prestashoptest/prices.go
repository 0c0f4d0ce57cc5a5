package prestashoptest

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
)

// This file answers the price parameters as PrestaShop's webservice does
// (WebserviceRequest::specificPriceCalculation): each
// price[alias][param]=value asks for a field named alias on every product
// and combination listed, holding Product::priceCalculation's price
// written with six decimals ("23.880000"). A combination's is its
// product's price with its impact (product_attribute is the combination);
// a product's has the impact of product_attribute when given. use_tax
// (default on, PS_TAX) adds the product's tax, use_reduction (default on)
// takes off its specific price, decimals (default 2 here, PrestaShop
// reading PS_PRICE_ROUND_MODE's value) rounds. country, group, currency
// and quantity are taken as the defaults, the only ones the fake prices;
// group chooses whose specific price applies (PS_CUSTOMER_GROUP's by
// default).

// priceParam is one price[alias][param] parameter.
var priceParam = regexp.MustCompile(`^price\[([^\]]*)\]\[([^\]]*)\]$`)

// configName is Validate::isConfigName, which an alias must pass.
var configName = regexp.MustCompile(`^[a-zA-Z_0-9-]+$`)

// hasPrices reports whether the request carries price parameters.
func hasPrices(q url.Values) bool {
	for key := range q {
		if priceParam.MatchString(key) {
			return true
		}
	}
	return false
}

// priceAliases reads the price parameters: each alias's parameters.
func priceAliases(q url.Values) map[string]map[string]string {
	aliases := map[string]map[string]string{}
	for key, values := range q {
		m := priceParam.FindStringSubmatch(key)
		if m == nil {
			continue
		}
		if aliases[m[1]] == nil {
			aliases[m[1]] = map[string]string{}
		}
		aliases[m[1]][m[2]] = values[0]
	}
	return aliases
}

// withPrices adds the prices asked for to the rows of products and
// combinations, unless the shop ignores them.
func (f *Fake) withPrices(resource string, rows []row, q url.Values) ([]row, *apiError) {
	aliases := priceAliases(q)
	if len(aliases) == 0 || f.shop.PricesIgnored || (resource != "products" && resource != "combinations") {
		return rows, nil
	}
	out := make([]row, len(rows))
	for i, r := range rows {
		priced := row{}
		for k, v := range r {
			priced[k] = v
		}
		for alias, params := range aliases {
			if !configName.MatchString(alias) {
				return nil, &apiError{400, 128, "Name for the virtual field is not allow"}
			}
			priced[strings.ToLower(alias)] = f.priceOf(resource, r, params)
		}
		out[i] = priced
	}
	return out, nil
}

// priceOf is the price of a product or combination row.
func (f *Fake) priceOf(resource string, r row, params map[string]string) string {
	productID, attribute := r["id"].(int64), phpInt(params["product_attribute"])
	if resource == "combinations" {
		productID, attribute = int64(number(r["id_product"].(string))), int(r["id"].(int64))
	}
	for _, p := range f.shop.Products {
		if p.ID == productID {
			return fmt.Sprintf("%f", p.priceCalculation(int64(attribute), params))
		}
	}
	return "0.000000"
}

// priceCalculation is Product::priceCalculation for the shop's default
// country, currency and group, one unit.
func (p *Product) priceCalculation(attribute int64, params map[string]string) float64 {
	price := number(p.Price)
	for _, c := range p.Combinations {
		if c.ID == attribute {
			price += number(c.Price)
		}
	}
	if on(params, "use_tax") {
		price *= 1 + number(p.TaxRate)/100
	}
	if on(params, "use_reduction") && (p.ReductionGroup == 0 || p.ReductionGroup == customerGroup(params)) {
		price -= price * number(p.Reduction)
	}
	decimals := 2
	if d, ok := params["decimals"]; ok {
		decimals = phpInt(d)
	}
	scale := math.Pow(10, float64(decimals))
	return max(math.Round(price*scale)/scale, 0)
}

// customerGroup is the group parameter, PS_CUSTOMER_GROUP by default.
func customerGroup(params map[string]string) int64 {
	if g, ok := params["group"]; ok {
		return int64(phpInt(g))
	}
	return defaultCustomerGroup
}

// on reads a boolean parameter as PHP's (bool) cast does, on by default.
func on(params map[string]string, name string) bool {
	v, ok := params[name]
	return !ok || (v != "" && v != "0")
}
