package stockbell

import (
	"context"
	"math"
	"time"
)

// InventoryPolicy says whether a variant keeps selling when out of stock.
type InventoryPolicy string

// Inventory policies, as Shopify names them. Other platforms map onto these.
const (
	InventoryDeny     InventoryPolicy = "deny"     // stop selling at zero
	InventoryContinue InventoryPolicy = "continue" // keep selling (backorders)
)

// Product is a platform product; it groups variants.
type Product struct {
	ID         int64  `db:"id" json:"id"`
	ShopID     int64  `db:"shop_id" json:"shop_id"`
	PlatformID string `db:"platform_id" json:"platform_id"` // a string: Shopify ids exceed 2^53
	Title      string `db:"title" json:"title"`
	Handle     string `db:"handle" json:"handle"`
	URL        string `db:"url" json:"url"`
	ImageURL   string `db:"image_url" json:"image_url"`
	Published  bool   `db:"published" json:"published"`
	// Deleted marks a product removed on the platform; its variants notify no one.
	Deleted   bool      `db:"deleted" json:"deleted"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// Variant is the unit shoppers subscribe to: one purchasable option of a product.
type Variant struct {
	ID         int64  `db:"id" json:"id"`
	ShopID     int64  `db:"shop_id" json:"shop_id"`
	ProductID  int64  `db:"product_id" json:"product_id"`
	PlatformID string `db:"platform_id" json:"platform_id"`
	// InventoryItemID is the platform's stock-keeping id when it differs from
	// the variant id (Shopify inventory items, BigCommerce SKUs).
	InventoryItemID string          `db:"inventory_item_id" json:"inventory_item_id,omitempty"`
	Title           string          `db:"title" json:"title"`
	SKU             string          `db:"sku" json:"sku"`
	URL             string          `db:"url" json:"url"`
	ImageURL        string          `db:"image_url" json:"image_url"`
	Price           string          `db:"price" json:"price"` // decimal text as the platform sends it
	InventoryPolicy InventoryPolicy `db:"inventory_policy" json:"inventory_policy"`
	Tracked         bool            `db:"tracked" json:"tracked"`
	// Stock is the sum of the available quantity over all locations.
	Stock     int       `db:"stock" json:"stock"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// Purchasable reports whether a shopper can buy the variant now: it is in
// stock, or its stock is not tracked, or it keeps selling when out of stock.
func (v *Variant) Purchasable() bool {
	return !v.Tracked || v.InventoryPolicy == InventoryContinue || v.Stock > 0
}

// SoldOut is the opposite of Purchasable: the only state in which shoppers
// may subscribe.
func (v *Variant) SoldOut() bool { return !v.Purchasable() }

// VariantWithProduct is a variant with the product fields the engine and the
// admin need beside it.
type VariantWithProduct struct {
	Variant
	ProductPlatformID string `db:"product_platform_id" json:"product_platform_id"`
	ProductTitle      string `db:"product_title" json:"product_title"`
	ProductURL        string `db:"product_url" json:"product_url"`
	ProductImageURL   string `db:"product_image_url" json:"product_image_url"`
	Published         bool   `db:"published" json:"published"`
	// Deleted marks the product removed on the platform.
	Deleted bool `db:"deleted" json:"deleted"`
	// VariantDeleted marks the variant removed from its product on the
	// platform (a size or combination the product no longer has), the
	// product staying; a read that lists it again revives it.
	VariantDeleted bool `db:"variant_deleted" json:"variant_deleted"`
}

// Notifiable reports whether subscribers of the variant may be notified at
// all: an unpublished or deleted product, or a variant deleted from its
// product, notifies no one.
func (v *VariantWithProduct) Notifiable() bool { return v.Published && !v.Deleted && !v.VariantDeleted }

// InventoryLevel is one variant's available quantity at one location, with
// what orders changes to it (see DecideStockChange).
type InventoryLevel struct {
	VariantID  int64  `db:"variant_id" json:"variant_id"`
	LocationID string `db:"location_id" json:"location_id"`
	Available  int    `db:"available" json:"available"`
	// PlatformUpdatedAt is the platform's own time of the level, as the read
	// or the pushed change that stored it carried it; nil when it carried none.
	PlatformUpdatedAt *time.Time `db:"platform_updated_at" json:"platform_updated_at,omitempty"`
	// Origin says whether the level was read from the platform or pushed by it.
	Origin LevelOrigin `db:"origin" json:"origin"`
	// Seq is the stock sequence number taken when the level was written.
	Seq int64 `db:"seq" json:"-"`
	// Disconnected marks the level of a location the platform disconnected:
	// a tombstone, kept so that a read begun before the disconnect or a
	// change pushed before it does not bring the location back
	// (DecideStockChange). It counts in no stock and no listing.
	Disconnected bool `db:"disconnected" json:"-"`
	// UpdatedAt is when Stockbell recorded the level, by Stockbell's clock.
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// ProductUpsert is a product with its variants as a platform describes it.
// Variants missing from the list are left alone (platforms page variants)
// unless AllVariants says the list is complete.
type ProductUpsert struct {
	ShopID     int64
	PlatformID string
	Title      string
	Handle     string
	URL        string
	ImageURL   string
	Published  bool
	Variants   []VariantUpsert
	// AllVariants says Variants lists every variant the product has, as
	// read at Read: the product's stored variants it does not list are
	// marked deleted (VariantWithProduct.VariantDeleted), unless a read
	// begun since Read found them (a variant made after this read began).
	// An upsert older than the stored product (UpdatedAt) deletes none.
	AllVariants bool
	// UpdatedAt is when the platform says the product changed; the product
	// and variant fields of an older upsert than the stored one are ignored
	// (its levels are still ordered one by one).
	UpdatedAt time.Time
	// Read is the read of the platform the variants' Levels come from; nil
	// is a read that begins when the upsert is applied.
	Read *StockRead
	// Source names where the levels come from in activity events, e.g.
	// "shopify:catalog".
	Source string
	// Recovered, when set, is the Quiet success (RecoveryReport) of the
	// read the upsert applies, for a source that logs only its failures. It
	// is recorded in the upsert's transaction as RecordSync records it (it
	// ends the failure the sync log shows for its source, and writes
	// nothing otherwise), without a read of its own. It names the upsert's
	// shop.
	Recovered *SyncReport
}

// VariantUpsert is one variant of a ProductUpsert. Stock is applied only
// when Levels is not nil (a platform that sends a total and no per-location
// levels uses one location named DefaultLocation). Levels are what a read
// of the platform found: the variant's complete set of locations, each
// ordered against its stored level by DecideStockChange.
type VariantUpsert struct {
	PlatformID      string
	InventoryItemID string
	Title           string
	SKU             string
	URL             string
	ImageURL        string
	Price           string
	InventoryPolicy InventoryPolicy
	Tracked         bool
	Levels          []LocationLevel
}

// LocationLevel is an available quantity at one location, as read from
// the platform.
type LocationLevel struct {
	LocationID string
	Available  int
	// UpdatedAt is the platform's own time of the level (Shopify's
	// InventoryLevel.updatedAt); zero when the read carries none.
	UpdatedAt time.Time
}

// DefaultLocation names the single location of platforms that report one
// stock figure per variant.
const DefaultLocation = "default"

// MaxAvailable bounds a stored stock level either way: the databases keep
// levels as 32-bit integers, and a larger one would fail every write of it.
const MaxAvailable = math.MaxInt32

// ClampAvailable is a quantity a platform reports, as a level Stockbell can
// store: within ±MaxAvailable (a shop holding more units than that is as
// much in stock as one holding that many).
func ClampAvailable(n int64) int { return int(max(min(n, MaxAvailable), -MaxAvailable)) }

// StockChange is one location's new available quantity for a variant, as a
// webhook or a platform module pushes it, or as a read of the platform (a
// poll, a feed, a re-read) finds it. Platforms deliver out of order:
// DecideStockChange orders each change against the stored level by the
// platform's own clock.
type StockChange struct {
	ShopID int64
	// The variant, by platform variant id or by inventory item id. An
	// inventory item may back several variants (a Shopify combined
	// listing's parent and child variants share one): a change naming the
	// item is the change of each of them.
	VariantPlatformID string
	InventoryItemID   string
	LocationID        string
	Available         int
	// Disconnected removes the location's level (the location no longer
	// stocks the item): it stops counting, and its tombstone orders later
	// changes of the location (InventoryLevel.Disconnected).
	Disconnected bool
	// At is the platform's own time of the change (a webhook's updated_at)
	// or of the level read (Shopify's InventoryLevel.updatedAt); zero when
	// the platform gives none. Never a time from Stockbell's clock.
	At time.Time
	// Read is set when the level was read from the platform's API (a
	// snapshot of its state) and nil when the platform pushed the change.
	Read   *StockRead
	Source string // e.g. "shopify:inventory_levels/update"
}

// StockResult tells what a StockChange did.
type StockResult struct {
	Variant  *Variant
	Applied  bool // false when the change was stale, a duplicate or must be re-read
	OldStock int
	NewStock int
	// Reread is true when the change could not be ordered against the
	// stored level: the caller resolves it by reading the level from the
	// platform again (an activity event records why).
	Reread bool
	// Reason says why a change was neither applied nor a duplicate.
	Reason string
	// Shared are the results for the other variants the change's
	// inventory item backs, in id order after Variant: each variant's
	// level is ordered on its own.
	Shared []*StockResult
}

// All returns the result and those of the variants sharing its inventory
// item, in id order.
func (r *StockResult) All() []*StockResult {
	return append([]*StockResult{r}, r.Shared...)
}

// NeedsReread reports whether the change could not be ordered against the
// stored level of any of its variants.
func (r *StockResult) NeedsReread() bool {
	for _, each := range r.All() {
		if each.Reread {
			return true
		}
	}
	return false
}

// StockOutcome is what became of one change of a batch
// (CatalogService.ApplyStockChanges): its result, or the error that change
// alone met (EINVALID, ENOTFOUND).
type StockOutcome struct {
	Result *StockResult
	Err    error
}

// VariantFilter selects variants of one shop: ShopID is required (a
// filter without it is EINVALID, never "all shops"); other nil fields do
// not filter.
type VariantFilter struct {
	ShopID    *int64
	ProductID *int64
	// ProductPlatformID selects the variants of the product the platform
	// knows by this id.
	ProductPlatformID *string
	PlatformID        *string
	// InventoryItemID selects the variants an inventory item backs.
	InventoryItemID      *string
	HasQueuedSubscribers *bool
	Offset               int
	Limit                int
}

// CatalogService keeps products, variants and their stock.
type CatalogService interface {
	// UpsertProduct creates or updates a product and its listed variants in
	// one transaction, with the sync log's recovery it carries (Recovered).
	// A stored variant whose stock the upsert's levels change gets an
	// EventStockChanged, as ApplyStockChange records; a new variant, or
	// one whose stock stays as it was, gets none.
	// Returns EINVALID for a missing platform id, or a Recovered that is a
	// failure, names no source or names another shop.
	UpsertProduct(ctx context.Context, upsert ProductUpsert) (*Product, error)
	// DeleteProduct marks a product deleted. Returns ENOTFOUND.
	DeleteProduct(ctx context.Context, shopID int64, platformID string) error
	// DeleteVanishedProduct marks deleted a product that a complete
	// catalog sync, begun with sync (BeginStockRead before its listing was
	// asked for), did not list — unless a read begun since found the
	// product, as a webhook's does for a product made after the listing
	// was read. It reports whether the product was deleted. Returns
	// EINVALID for a zero sync, ENOTFOUND.
	DeleteVanishedProduct(ctx context.Context, shopID int64, platformID string, sync StockRead) (bool, error)
	// DeleteVanishedVariant marks deleted a variant that a complete
	// catalog sync, begun with sync, did not list, its product kept —
	// unless a read begun since found the variant (one made after the
	// listing was read), or its product is deleted. It reports whether
	// the variant was deleted. Returns EINVALID for a zero sync,
	// ENOTFOUND.
	DeleteVanishedVariant(ctx context.Context, shopID int64, platformID string, sync StockRead) (bool, error)
	// FindVariant returns a shop's variant by platform id, with its product.
	// Returns ENOTFOUND.
	FindVariant(ctx context.Context, shopID int64, platformID string) (*VariantWithProduct, error)
	// HoldsProduct reports whether the shop has stored the product of
	// that platform id, deleted or not (another shop's is not held).
	HoldsProduct(ctx context.Context, shopID int64, platformID string) (bool, error)
	// HoldsItem reports whether the shop has stored a variant the
	// inventory item of that platform id backs, deleted or not (another
	// shop's is not held).
	HoldsItem(ctx context.Context, shopID int64, itemID string) (bool, error)
	// FindVariantForSignup is FindVariant for a storefront sign-up: a
	// variant found sold out and notifiable may be answered from memory, up
	// to a second stale for a change another replica committed (this
	// process's own changes show at once). CreateSubscription checks the
	// variant's stock again as it stores the subscription, so a variant
	// restocked meanwhile gets its restock job. Returns ENOTFOUND.
	FindVariantForSignup(ctx context.Context, shopID int64, platformID string) (*VariantWithProduct, error)
	// FindVariantByID returns the shop's variant by its id, with its
	// product. Returns ENOTFOUND (also for another shop's variant).
	FindVariantByID(ctx context.Context, shopID, id int64) (*VariantWithProduct, error)
	// FindVariants returns the variants matching the filter and the total count.
	FindVariants(ctx context.Context, filter VariantFilter) ([]*VariantWithProduct, int, error)
	// FindProducts returns the shop's products, deleted ones too, by title
	// (at most limit, 1 to 1000), and how many the shop has.
	FindProducts(ctx context.Context, shopID int64, limit int) ([]*Product, int, error)
	// FindInventoryLevels returns a variant's per-location levels, without
	// the tombstones of disconnected locations.
	FindInventoryLevels(ctx context.Context, shopID, variantID int64) ([]*InventoryLevel, error)
	// ApplyStockChange orders one location's change against its stored
	// level (DecideStockChange), records it when it is newer and recomputes
	// the variant's stock, with a VariantStockChangedJob when anyone is
	// queued for the variant; a change naming an inventory item does so
	// for each variant the item backs (StockResult.Shared). Returns
	// ENOTFOUND for an unknown variant or an item no variant carries.
	ApplyStockChange(ctx context.Context, change StockChange) (*StockResult, error)
	// ApplyStockChanges applies a batch of changes as ApplyStockChange
	// applies each one, in order (a later change to the same location is
	// ordered against the earlier one's level), in one transaction: the
	// outcomes are those the changes would have had one after another. A
	// change's own EINVALID or ENOTFOUND is its outcome's Err and stores
	// nothing for it; an error returned stores nothing for the whole batch.
	ApplyStockChanges(ctx context.Context, changes []StockChange) ([]StockOutcome, error)
	// BeginStockRead is called before a platform is asked for stock; the
	// levels its answer carries are applied with the returned StockRead.
	BeginStockRead(ctx context.Context) (StockRead, error)
}

// DeleteVanishedProducts marks deleted the shop's stored products that a
// complete catalog sync, begun with sync, did not list (listed holds the
// platform ids it listed): the platform no longer has them, and their
// subscribers must not wait for a restock that cannot come. A product a
// read begun since found is kept (see DeleteVanishedProduct): one created
// while the listing was read is missing from it. It returns how many it
// marked. A listing that named no product while the shop holds some
// marks nothing and returns ErrListedNothing (GuardSweep).
func DeleteVanishedProducts(ctx context.Context, catalog CatalogService, shopID int64, listed map[string]bool, sync StockRead) (int, error) {
	stored := map[string]bool{}
	err := eachStoredVariant(ctx, catalog, shopID, func(v *VariantWithProduct) {
		if !v.Deleted && !listed[v.ProductPlatformID] {
			stored[v.ProductPlatformID] = true
		}
	})
	if err != nil {
		return 0, err
	}
	if err := GuardSweep(len(listed), len(stored)); err != nil {
		return 0, err
	}
	deleted := 0
	for id := range stored {
		gone, err := catalog.DeleteVanishedProduct(ctx, shopID, id, sync)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return deleted, err
		}
		if gone {
			deleted++
		}
	}
	return deleted, nil
}

// eachStoredVariant calls visit with each of the shop's stored variants,
// read a page of 1,000 at a time.
func eachStoredVariant(ctx context.Context, catalog CatalogService, shopID int64, visit func(*VariantWithProduct)) error {
	for offset := 0; ; offset += 1000 {
		page, total, err := catalog.FindVariants(ctx, VariantFilter{ShopID: &shopID, Offset: offset, Limit: 1000})
		if err != nil {
			return err
		}
		for _, v := range page {
			visit(v)
		}
		if offset+len(page) >= total || len(page) == 0 {
			return nil
		}
	}
}
