package bigcommerce

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// SecretHeader is the custom header every hook is created with: the
// store's webhook secret, which BigCommerce sends back on each delivery.
const SecretHeader = "X-Stockbell-Hook-Secret"

// WebhookPath is where BigCommerce delivers webhooks on this server.
const WebhookPath = "/webhooks/bigcommerce"

// Webhook scopes Stockbell subscribes to.
const (
	ScopeSKUInventory          = "store/sku/inventory/updated"
	ScopeSKUInventoryOrder     = "store/sku/inventory/order/updated"
	ScopeProductInventory      = "store/product/inventory/updated"
	ScopeProductInventoryOrder = "store/product/inventory/order/updated"
	ScopeProductCreated        = "store/product/created"
	ScopeProductUpdated        = "store/product/updated"
	ScopeProductDeleted        = "store/product/deleted"
	ScopeSKUDeleted            = "store/sku/deleted"
	ScopeOrderCreated          = "store/order/created"
)

// SubscribedScopes are the hooks created for every store: stock (absolute
// and order-driven, per SKU and per product), the catalog (a variant's
// deletion included), and orders for conversions. A scope added later is
// created for existing stores by the hourly hook check.
var SubscribedScopes = []string{
	ScopeSKUInventory, ScopeSKUInventoryOrder, ScopeProductInventory, ScopeProductInventoryOrder,
	ScopeProductCreated, ScopeProductUpdated, ScopeProductDeleted, ScopeOrderCreated, ScopeSKUDeleted,
}

// Payload is a webhook body: a light description of the event.
type Payload struct {
	Scope     string          `json:"scope"`
	StoreID   json.RawMessage `json:"store_id"`
	Data      PayloadData     `json:"data"`
	Hash      string          `json:"hash"`
	CreatedAt int64           `json:"created_at"`
	Producer  string          `json:"producer"`
}

// PayloadData is the event's subject; Inventory is set by the inventory
// scopes, where Value is only a hint (absolute, or relative for the order
// scopes): the level is always read again. SKU is set by
// store/sku/deleted, whose product is read again as well.
type PayloadData struct {
	Type      string     `json:"type"`
	ID        int64      `json:"id"`
	Inventory *Inventory `json:"inventory"`
	SKU       *SKURef    `json:"sku"`
}

// SKURef names the product and variant of a deleted SKU.
type SKURef struct {
	ProductID int64 `json:"product_id"`
	VariantID int64 `json:"variant_id"`
}

// Inventory is the inventory part of an inventory webhook.
type Inventory struct {
	ProductID int64  `json:"product_id"`
	VariantID int64  `json:"variant_id"`
	Method    string `json:"method"`
	Value     int    `json:"value"`
}

// WebhookVerifier checks what BigCommerce posts to /webhooks/bigcommerce
// (it implements web.WebhookVerifier): the store's secret header, found by
// its SHA-256 and compared in constant time, before anything is parsed;
// then the payload, whose producer must be the store the secret belongs
// to. Receipts are deduplicated on the payload's hash, which is the same
// for every retry of one event.
type WebhookVerifier struct {
	Secrets stockbell.WebhookSecretService
	Shops   stockbell.ShopService
}

// VerifyWebhook returns the receipt of a BigCommerce webhook: EUNAUTHORIZED
// for a missing or unknown secret or a producer that is not the secret's
// store, EINVALID naming the field of a malformed payload.
func (v *WebhookVerifier) VerifyWebhook(ctx context.Context, header http.Header, body []byte) (*stockbell.WebhookReceipt, error) {
	shop, err := v.secretShop(ctx, header.Get(SecretHeader))
	if err != nil {
		return nil, err
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, stockbell.FieldErrorf("body", "The webhook body is not BigCommerce's JSON payload.")
	}
	switch {
	case p.Producer != shop.Domain:
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The webhook's producer %q is not the store its secret belongs to.", p.Producer)
	case p.Scope == "":
		return nil, stockbell.FieldErrorf("scope", "The webhook names no scope.")
	case p.Hash == "":
		return nil, stockbell.FieldErrorf("hash", "The webhook has no hash to tell retries by.")
	}
	rc := &stockbell.WebhookReceipt{Platform: stockbell.PlatformBigCommerce, ShopID: &shop.ID, Domain: shop.Domain,
		EventID: p.Hash, Topic: p.Scope, Payload: body}
	if p.CreatedAt > 0 {
		rc.TriggeredAt = time.Unix(p.CreatedAt, 0).UTC()
	}
	return rc, nil
}

// secretShop finds the shop whose webhook secret is secret. The lookup is
// by the secret's SHA-256 (timing reveals nothing about the secret), and
// the stored hash is compared again in constant time.
func (v *WebhookVerifier) secretShop(ctx context.Context, secret string) (*stockbell.Shop, error) {
	refused := stockbell.Errorf(stockbell.EUNAUTHORIZED, "The webhook does not carry a known %s.", SecretHeader)
	if secret == "" {
		return nil, refused
	}
	sum := sha256.Sum256([]byte(secret))
	hash := hex.EncodeToString(sum[:])
	stored, err := v.Secrets.FindWebhookSecret(ctx, hash)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, refused
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(stored.Hash), []byte(hash)) != 1 {
		return nil, refused
	}
	shop, err := v.Shops.FindShopByID(ctx, stored.ShopID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, refused
	}
	return shop, err
}
