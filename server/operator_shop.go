package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// shopQuery is the shop an operator command's --shop and --platform name.
type shopQuery struct {
	key      string
	platform *stockbell.Platform // nil: any platform
}

// shopFlagUsage and platformFlagUsage are the help of --shop and
// --platform, the same for every command that takes them (see
// findOperatorShop).
const (
	shopFlagUsage     = "the shop: its public key, or its platform or storefront domain, as shop list shows (required)"
	platformFlagUsage = "the shop's platform: a --shop domain several shops have is refused, naming each, until this or a public key picks one"
)

// addShopFlags adds --shop and --platform to a command's flags; the
// function it returns reads them once parsed, refusing an unknown
// platform.
func addShopFlags(fs *flag.FlagSet) func() (shopQuery, error) {
	key := fs.String("shop", "", shopFlagUsage)
	platform := fs.String("platform", "", platformFlagUsage)
	return func() (shopQuery, error) {
		query := shopQuery{key: strings.TrimSpace(*key)}
		if *platform == "" {
			return query, nil
		}
		p := stockbell.Platform(*platform)
		if !p.Valid() {
			return query, fmt.Errorf("--platform: unknown platform %q (want one of: %s)", *platform, platformNames(", "))
		}
		query.platform = &p
		return query, nil
	}
}

// findOperatorShop finds the shop an operator command's --shop names, by
// one rule for every command: a public key names its shop; any other
// value is a domain, naming every shop, installed or not, whose platform
// domain or storefront (primary) domain it is, of the --platform when
// given. Exactly one must match. Several are refused, naming each one's
// platform, public key, domain and state, rather than one taken unsaid:
// a key, a sign-in link, a setting or an erasure would go to a shop the
// operator did not mean. What a command then does with a shop that is
// not installed is its own (erase wants one; admin link refuses it).
func findOperatorShop(ctx context.Context, db *store.DB, query shopQuery) (*stockbell.Shop, error) {
	byKey, _, err := db.FindShops(ctx, stockbell.ShopFilter{PublicKey: &query.key, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(byKey) == 1 {
		return ofPlatform(byKey[0], query)
	}
	shops, err := db.FindShopsByDomain(ctx, query.key)
	if err != nil {
		return nil, err
	}
	if query.platform != nil {
		shops = slices.DeleteFunc(shops, func(s *stockbell.Shop) bool { return s.Platform != *query.platform })
	}
	switch {
	case len(shops) == 0 && query.platform != nil:
		return nil, fmt.Errorf("no %s shop %q (see: %s)", *query.platform, query.key, commandAsRun("shop list"))
	case len(shops) == 0:
		return nil, fmt.Errorf("no shop %q (see: %s)", query.key, commandAsRun("shop list"))
	case len(shops) > 1:
		return nil, severalShops(query.key, shops)
	}
	return shops[0], nil
}

// ofPlatform returns the shop a public key named, unless --platform
// names another platform.
func ofPlatform(shop *stockbell.Shop, query shopQuery) (*stockbell.Shop, error) {
	if query.platform != nil && shop.Platform != *query.platform {
		return nil, fmt.Errorf("shop %s is a %s shop (%s), not a %s one", query.key, shop.Platform, shop.Domain, *query.platform)
	}
	return shop, nil
}

// severalShops is the refusal of a domain several shops have: each one's
// platform, public key, domain and state, and how to pick one (--platform
// only when it tells them apart).
func severalShops(domain string, shops []*stockbell.Shop) error {
	named := make([]string, len(shops))
	platforms := map[stockbell.Platform]bool{}
	for i, s := range shops {
		named[i] = fmt.Sprintf("%s %s (%s, %s)", s.Platform, s.PublicKey, s.Domain, s.Status)
		platforms[s.Platform] = true
	}
	pick := "give --shop the public key of the one you mean"
	if len(platforms) == len(shops) {
		pick = "name one with --platform, or give --shop its public key"
	}
	return fmt.Errorf("%d shops have the domain %q: %s; %s", len(shops), domain, strings.Join(named, ", "), pick)
}

// withOperatorShop runs fn with the shop --shop and --platform name (see
// findOperatorShop) on the server's database (see withStore).
func withOperatorShop(env *cliEnv, query shopQuery, fn func(db *store.DB, shop *stockbell.Shop) error) error {
	return withStore(env, func(db *store.DB) error {
		shop, err := findOperatorShop(env.ctx, db, query)
		if err != nil {
			return err
		}
		return fn(db, shop)
	})
}

// withShop runs fn with the shop --shop and --platform name, read by
// readShop (see addShopFlags), on the server's database (see
// withOperatorShop).
func withShop(env *cliEnv, readShop func() (shopQuery, error), fn func(db *store.DB, shop *stockbell.Shop) error) error {
	query, err := readShop()
	if err != nil {
		return err
	}
	return withOperatorShop(env, query, fn)
}
