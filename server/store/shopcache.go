package store

import (
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ShopCacheTTL is how long a shop found by key or domain, a shop's added
// storefront origins, or a sold-out variant found for a storefront sign-up,
// is answered from memory. A change
// this process commits to shops or to the catalog clears the cache at once;
// a change committed by another replica is seen within this time. So after
// an uninstall on one replica, the others may accept a storefront
// subscription or apply a stock change for the shop for at most this long
// (the restock engine and the senders read the shop afresh); after a
// product is unpublished there, they may accept a sign-up for it for as
// long. A variant restocked there is re-checked by the subscription's own
// insert (see FindVariantForSignup).
const ShopCacheTTL = time.Second

// maxCachedEntries bounds each cache; when full it is emptied.
const maxCachedEntries = 10000

// shopCache keeps the answers of FindShopByKey and FindShopByDomain, of
// FindStorefrontOrigins and of FindVariantForSignup: the hot paths (a
// storefront post, a receipt's processing) then find their shop, its
// origins and its variant without a query. Only what
// was found is kept.
type shopCache struct {
	freshCache[string, stockbell.Shop]
	// soldOut keeps the sold-out, notifiable variants found by
	// FindVariantForSignup; cleared when the catalog or shops change.
	soldOut freshCache[variantKey, stockbell.VariantWithProduct]
	// origins keeps each shop's added storefront origins found by
	// FindStorefrontOrigins; cleared when shops change.
	origins freshCache[int64, []string]
}

// variantKey names a shop's variant by its platform id.
type variantKey struct {
	shopID     int64
	platformID string
}

func newShopCache() *shopCache { return &shopCache{} }

// freshCache keeps values by key for ShopCacheTTL. A generation counter
// keeps a read that began before a clear from storing what it read.
type freshCache[K comparable, V any] struct {
	mu      sync.Mutex
	gen     uint64
	entries map[K]freshEntry[V]
}

type freshEntry[V any] struct {
	value   V
	expires time.Time
}

// get returns a copy of the value cached under key, if still fresh, and
// the generation a read that misses must pass to put.
func (c *freshCache[K, V]) get(key K, now time.Time) (*V, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
		return nil, c.gen
	}
	value := e.value
	return &value, c.gen
}

// put keeps value under key unless the cache was cleared since gen.
func (c *freshCache[K, V]) put(key K, gen uint64, value *V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxCachedEntries {
		c.entries = map[K]freshEntry[V]{}
	}
	c.entries[key] = freshEntry[V]{value: *value, expires: now.Add(ShopCacheTTL)}
}

// clear forgets every entry: called after a transaction that changed what
// the cache holds commits.
func (c *freshCache[K, V]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// cachedShopLookup answers from the cache under key, or runs find and
// caches what it finds. The TTL runs on the wall clock, not db.Clock:
// it bounds how stale a read may be, which tests' clocks do not move.
func (db *DB) cachedShopLookup(key string, find func() (*stockbell.Shop, error)) (*stockbell.Shop, error) {
	now := time.Now()
	shop, gen := db.shops.get(key, now)
	if shop != nil {
		return shop, nil
	}
	shop, err := find()
	if err == nil {
		db.shops.put(key, gen, shop, now)
	}
	return shop, err
}
