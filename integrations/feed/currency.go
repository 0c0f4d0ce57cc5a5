package feed

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// priceCurrency tallies the currency codes a document's prices state, as
// Google Merchant feeds write prices ("15.00 USD"); a bare amount states
// none.
type priceCurrency struct {
	code  string
	mixed bool
}

// note counts one item's price.
func (p *priceCurrency) note(price string) {
	m, err := stockbell.ParsePrice(price)
	switch {
	case err != nil || m.Currency == "" || m.Currency == p.code:
	case p.code == "":
		p.code = m.Currency
	default:
		p.mixed = true
	}
}

// agreed is the code every price that states one states, or "" when none
// does or they disagree: a feed in several currencies gives the shop none
// (each such price still shows its own code).
func (p *priceCurrency) agreed() string {
	if p.mixed {
		return ""
	}
	return p.code
}

// recordCurrency stores the currency the document's prices agree on when
// it is not the shop's already.
func (r *syncRun) recordCurrency(ctx context.Context) error {
	code := r.currency.agreed()
	if code == "" || code == r.shop.Currency {
		return nil
	}
	return r.s.Shops.UpdateShopDetails(ctx, r.shopID, stockbell.ShopDetails{Currency: code})
}
