package stockbell

import "time"

// The periodic complete catalog sync of the platforms whose catalog
// changes reach Stockbell by webhooks alone (Shopify, BigCommerce): a
// webhook the platform gave up on (Shopify drops a delivery after its
// retries; BigCommerce deactivates a hook that keeps failing) is caught
// by the next complete sync, which stores the products created meanwhile
// and marks deleted those gone.
const (
	// CatalogResyncInterval is how often each installed shop's complete
	// catalog is synced.
	CatalogResyncInterval = 24 * time.Hour
	// CatalogResyncFanOut is how often the fan-out runs; each run queues
	// the syncs of the shops whose hour it is (CatalogResyncDue).
	CatalogResyncFanOut = time.Hour
)

// CatalogResyncDue reports whether the fan-out running at now queues the
// periodic catalog sync of the shop. Each shop has an hour of the
// interval given by its id, so the shops' syncs are spread over the
// interval rather than all begun at once, and each shop is due once per
// interval. A shop whose hour passes while no fan-out runs (every
// replica down for that hour) waits for its next one, as does a shop
// installed less than a fan-out period before: its install's sync has
// just read it.
func CatalogResyncDue(shop *Shop, now time.Time) bool {
	slots := int64(CatalogResyncInterval / CatalogResyncFanOut)
	slot := now.Unix() / int64(CatalogResyncFanOut/time.Second)
	return shop.ID%slots == slot%slots && !shop.InstalledAt.After(now.Add(-CatalogResyncFanOut))
}
