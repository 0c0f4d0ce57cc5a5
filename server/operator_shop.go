package main

import (
	"context"
	"fmt"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// findOperatorShop finds the shop an operator command's --shop names: by
// its public key, or by a domain. A domain that several installed shops
// share (a storefront connected both as a catalog feed and as a
// PrestaShop shop) is refused, naming each shop's platform and public
// key, rather than one of them taken unsaid: a key, a sign-in link or a
// setting would go to a shop the operator did not mean.
func findOperatorShop(ctx context.Context, db *store.DB, key string) (*stockbell.Shop, error) {
	shop, err := db.FindShopByKey(ctx, key)
	if err != nil {
		return nil, describe(err, key)
	}
	if shop.PublicKey == strings.TrimSpace(key) || !shop.Active() {
		return shop, nil
	}
	installed := stockbell.ShopInstalled
	sharing, _, err := db.FindShops(ctx, stockbell.ShopFilter{Domain: &shop.Domain, Status: &installed, Limit: 10})
	if err != nil || len(sharing) < 2 {
		return shop, err
	}
	named := make([]string, len(sharing))
	for i, s := range sharing {
		named[i] = fmt.Sprintf("%s %s", s.Platform, s.PublicKey)
	}
	return nil, fmt.Errorf("installed shops of several platforms have the domain %s (%s): give --shop the public key of the one you mean",
		shop.Domain, strings.Join(named, ", "))
}
