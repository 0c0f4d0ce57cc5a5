package prestashop

import (
	"context"
	"errors"
	"sync"
	"time"
)

// OwnerTTL is how long a connection's place in its multistore (stockOwner:
// three webservice requests) is kept for the stock reads that follow.
// The shop and group a URL is, and whether the group shares stock, change
// when the merchant rearranges the installation, which is rare; a burst
// of stock reads (the module's posts during a sale, a reconciliation of
// many products) would otherwise pay the three requests each. Ten
// minutes is within one reconciliation period (15 minutes), so such a
// change reaches the stock read within the time a missed post already
// may take. A read that suggests the shop moved asks again at once
// (forgetOwner).
const OwnerTTL = 10 * time.Minute

// ownerCache keeps, per shop, the stockOwner found for its webservice URL.
// Its zero value is ready. It is per process: every replica asks for
// itself, at most once per OwnerTTL and shop.
type ownerCache struct {
	mu      sync.Mutex
	entries map[int64]ownerEntry
}

// ownerEntry is one shop's answer: owner is zero when the webservice did
// not say (a key without the shop resources, a URL no shop_urls row is).
type ownerEntry struct {
	url   string
	owner stockOwner
	at    time.Time
}

// get is the shop's kept owner for url, unless older than OwnerTTL.
func (c *ownerCache) get(shopID int64, url string, now time.Time) (stockOwner, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[shopID]
	if !ok || e.url != url || now.Sub(e.at) >= OwnerTTL || now.Before(e.at) {
		return stockOwner{}, false
	}
	return e.owner, true
}

// put keeps the shop's owner, dropping the entries that expired.
func (c *ownerCache) put(shopID int64, url string, owner stockOwner, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[int64]ownerEntry{}
	}
	for id, e := range c.entries {
		if now.Sub(e.at) >= OwnerTTL {
			delete(c.entries, id)
		}
	}
	c.entries[shopID] = ownerEntry{url: url, owner: owner, at: now}
}

// forget drops the shop's owner: the next read asks the webservice.
func (c *ownerCache) forget(shopID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, shopID)
}

// owner is the connected shop's stockOwner: the one kept for it within
// OwnerTTL (kept is then true), else (or when fresh) read from the
// webservice and kept. When
// the webservice does not say, that is logged once per OwnerTTL, the
// zero owner is kept and the rows it answers for the shop's URL are read
// as before; an error it could not be asked with (an unavailable shop) is
// returned and nothing is kept.
func (in *Integration) owner(ctx context.Context, shopID int64, s *session, fresh bool) (owner stockOwner, kept bool, err error) {
	now := in.Clock.Now()
	if owner, ok := in.owners.get(shopID, s.creds.URL, now); ok && !fresh {
		return owner, true, nil
	}
	owner, err = s.stockOwner(ctx)
	if errors.Is(err, errOwnerUnknown) {
		in.Logger.WarnContext(ctx, "prestashop shop not found in its installation: the stock rows answered for its URL are read",
			"shop", s.creds.URL, "err", err)
		owner, err = stockOwner{}, nil
	}
	if err != nil {
		return stockOwner{}, false, err
	}
	in.owners.put(shopID, s.creds.URL, owner, now)
	return owner, false, nil
}

// forgetOwner drops the shop's kept owner after a read that suggests the
// shop moved in its installation: a refused or failed read, or stock rows
// none of which is the kept owner's (the shop's id or its group's sharing
// changed).
func (in *Integration) forgetOwner(shopID int64) { in.owners.forget(shopID) }
