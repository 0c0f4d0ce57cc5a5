package store

import (
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// ShopCacheTTL is how long a shop found by key or domain is answered from
// memory. A change this process commits to a shop clears the cache at
// once; a change committed by another replica is seen within this time.
// So after an uninstall on one replica, the others may accept a
// storefront subscription or apply a stock change for the shop for at most
// this long (the restock engine and the senders read the shop afresh).
const ShopCacheTTL = time.Second

// maxCachedShops bounds the cache; when full it is emptied.
const maxCachedShops = 10000

// shopCache keeps the answers of FindShopByKey and FindShopByDomain: the
// hot paths (a storefront post, a receipt's processing) then find their
// shop without a query. Only shops found are kept. A generation counter
// keeps a read that began before a clear from storing what it read.
type shopCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]cachedShop
}

type cachedShop struct {
	shop    stockbell.Shop
	expires time.Time
}

func newShopCache() *shopCache { return &shopCache{entries: map[string]cachedShop{}} }

// get returns a copy of the shop cached under key, if still fresh, and
// the generation a read that misses must pass to put.
func (c *shopCache) get(key string, now time.Time) (*stockbell.Shop, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
		return nil, c.gen
	}
	shop := e.shop
	return &shop, c.gen
}

// put keeps shop under key unless the cache was cleared since gen.
func (c *shopCache) put(key string, gen uint64, shop *stockbell.Shop, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= maxCachedShops {
		clear(c.entries)
	}
	c.entries[key] = cachedShop{shop: *shop, expires: now.Add(ShopCacheTTL)}
}

// clear forgets every shop: called after a transaction that changed shops
// commits.
func (c *shopCache) clear() {
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
