package stockbell

import (
	"context"
	"time"
)

// MagentoIdentityWindow is how long after an integration's activation its
// identity link (Magento opens it right after the activation) signs the
// merchant into the admin. The link carries only the consumer key, which
// the store shows its admins: it must not open the admin for ever.
const MagentoIdentityWindow = time.Hour

// MagentoActivation is one activation of the Stockbell integration in a
// Magento store: the consumer key Magento posted (kept as its SHA-256) and
// the shop it installed.
type MagentoActivation struct {
	// KeyHash is the lower-case hex SHA-256 of the consumer key.
	KeyHash     string    `db:"consumer_key_hash"`
	ShopID      int64     `db:"shop_id"`
	ActivatedAt time.Time `db:"activated_at"`
}

// MagentoInstall is what an activation stores: the shop's install (its
// sealed credentials and catalog sync), the consumer key that activated
// it, and a module signing secret for a shop that has none.
type MagentoInstall struct {
	ShopInstall
	// KeyHash is the lower-case hex SHA-256 of the consumer key.
	KeyHash string
	// ModuleSecret returns a new module signing secret for the shop's id
	// (SHA-256 and sealed value). It is stored only when the shop has no
	// secret: a reactivation keeps the one the module was configured with.
	ModuleSecret func(shopID int64) (WebhookSecret, error)
}

// MagentoActivationService stores activations and remembers which
// consumer key activated which shop, for the identity link that follows
// the activation.
type MagentoActivationService interface {
	// InstallMagentoShop installs the shop as ShopService.InstallShop does
	// (with its follow-up jobs), gives it a module secret unless it has
	// one, and records that the consumer key activated it now (a key
	// activated again moves to the shop), in one transaction: a failure
	// leaves none of it. Returns EINVALID for a malformed install or hash.
	InstallMagentoShop(ctx context.Context, install MagentoInstall) (*Shop, error)
	// FindMagentoActivation returns the activation of the consumer key
	// whose SHA-256 is keyHash. Returns ENOTFOUND.
	FindMagentoActivation(ctx context.Context, keyHash string) (*MagentoActivation, error)
}

// MagentoCatalogSyncJob reads a Magento store's whole catalog with stock.
type MagentoCatalogSyncJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (MagentoCatalogSyncJob) Kind() string { return "magento_catalog_sync" }

// MagentoReconcileJob re-reads the stock of variants with queued
// subscribers, so a post the module never made is recovered. ShopID 0
// means every installed Magento store: the job then queues one per store.
type MagentoReconcileJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (MagentoReconcileJob) Kind() string { return "magento_reconcile" }

// MagentoIdentity is what the identity link of a fresh activation grants:
// the shop to sign the merchant into, the module signing secret to paste
// into the store's configuration, and where to send the merchant back
// (Magento's success_call_back, on the store's own host).
type MagentoIdentity struct {
	Shop         *Shop
	ModuleSecret string
	ReturnURL    string
}
