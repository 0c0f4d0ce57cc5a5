package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// maxShopsByDomain bounds FindShopsByDomain: a domain names a handful of
// shops at most (one per platform, and storefronts that moved).
const maxShopsByDomain = 100

// FindShopsByDomain returns every shop, installed or not, whose platform
// domain or storefront (primary) domain is the domain, compared as
// FindShopByKey compares them (case, scheme, trailing slash and default
// port aside), by id; none is an empty list. An empty domain matches none.
func (db *DB) FindShopsByDomain(ctx context.Context, domain string) ([]*stockbell.Shop, error) {
	shops := []*stockbell.Shop{}
	spellings := domainSpellings(normalizeDomain(domain))
	if spellings[0] == "" {
		return shops, nil
	}
	err := db.inRead(func(tx *Tx) error {
		return tx.SelectContext(ctx, &shops, tx.Rebind(`SELECT `+shopColumns+` FROM shops
			WHERE domain`+domainIn+` OR primary_domain`+domainIn+` ORDER BY id LIMIT ?`),
			append(append(spellings, spellings...), maxShopsByDomain)...)
	})
	return shops, err
}
