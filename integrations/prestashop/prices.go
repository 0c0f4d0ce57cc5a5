package prestashop

import (
	"context"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

// shopperPriceField is the field the webservice adds to each product and
// combination listed with priceQuery: the price PrestaShop computes for
// it (WebserviceRequest::specificPriceCalculation, Product::priceCalculation),
// written with six decimals like its own price fields ("23.880000"). A
// combination's is its product's price with its impact.
const shopperPriceField = "shopper_price"

// pricesBeforeTaxNotice is what a catalog sync says once in the sync log
// when the webservice computed no price (a webservice ignoring the price
// parameters, or a request carrying them refused).
const pricesBeforeTaxNotice = "PrestaShop's webservice gave no price with tax (it ignored the price parameters or refused " +
	"the request that carried them): prices are before tax, as the webservice stores them, and alerts show them so"

// priceQuery asks the webservice for each product's and combination's
// price as PrestaShop's product page shows it to a visitor of the shop's
// default country, in its default currency, for one unit: tax included
// and after the catalog's reductions (specific prices, catalog price
// rules). The reductions are kept because a back-in-stock alert should
// say what the shopper will pay on the page its link opens: during a
// sale the page asks the reduced price, and the products shoppers wait
// for are read again every 15 minutes (Reconcile), so a sale that starts
// or ends reaches their alerts within that time. The group is the
// visitor's (PS_UNIDENTIFIED_GROUP), whom the page shows prices to before
// they sign in, rather than the webservice's default, the customers'.
// Six decimals keep PrestaShop's price exact; amounts are rounded where
// they are written, to their currency's decimals.
func (s shopSettings) priceQuery() url.Values {
	param := func(name string) string { return "price[" + shopperPriceField + "][" + name + "]" }
	q := url.Values{param("use_tax"): {"1"}, param("use_reduction"): {"1"}, param("decimals"): {"6"}}
	if s.visitorGroup != 0 {
		q.Set(param("group"), strconv.FormatInt(s.visitorGroup, 10))
	}
	return q
}

// withPrices adds the price parameters to a listing's query.
func (s shopSettings) withPrices(query url.Values) url.Values {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	for k, v := range s.priceQuery() {
		q[k] = v
	}
	return q
}

// hasPrices reports whether a query carries price parameters.
func hasPrices(query url.Values) bool {
	for k := range query {
		if strings.HasPrefix(k, "price[") {
			return true
		}
	}
	return false
}

// withoutPrices is the query without its price parameters.
func withoutPrices(query url.Values) url.Values {
	q := url.Values{}
	for k, v := range query {
		if !strings.HasPrefix(k, "price[") {
			q[k] = v
		}
	}
	return q
}

// paidPrice is the price PrestaShop computed, else the price before tax:
// the base price plus the combination's impact.
func paidPrice(computed, base, impact string) string {
	if computed != "" {
		return price(computed, "0")
	}
	return price(base, impact)
}

// notePricesBeforeTax marks the session when a variant of the products
// read has no computed price: its price is before tax.
func (s *session) notePricesBeforeTax(products []apiProduct, read catalogRead) {
	for _, p := range products {
		combinations := read.combinations[int64(p.ID)]
		if len(combinations) == 0 && p.ShopperPrice == "" {
			s.pricesBeforeTax = true
		}
		for _, c := range combinations {
			if c.ShopperPrice == "" {
				s.pricesBeforeTax = true
			}
		}
	}
}

// logPricesBeforeTax logs once per read that prices are before tax.
func (s *session) logPricesBeforeTax(ctx context.Context, logger *slog.Logger) {
	if s.pricesBeforeTax {
		logger.WarnContext(ctx, "prestashop webservice computed no price with tax: prices are before tax", "shop", s.creds.URL)
	}
}
