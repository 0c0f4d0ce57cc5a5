package magento

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// WebhookPath is where the Stockbell module posts stock changes.
const WebhookPath = "/webhooks/magento"

// ShopHeader names the store a post comes from (its host, the shop's
// domain). It is not signed: it only says whose secret to verify with.
const ShopHeader = "X-Stockbell-Shop"

// TopicStockChange is the one topic of a module's post.
const TopicStockChange = "stock/change"

// StockPost is the body the module posts for one saved stock item or
// source item.
type StockPost struct {
	// Shop is the store's host; when present it must be the shop whose
	// secret signed the post.
	Shop string `json:"shop,omitempty"`
	SKU  string `json:"sku"`
	// Qty is the saved quantity (a decimal in Magento; whole units count).
	Qty       *float64 `json:"qty"`
	IsInStock *bool    `json:"is_in_stock"`
	// Source is the MSI source code, "default" for a single-source store.
	Source string `json:"source"`
	// UpdatedAt is Magento's time of the save: "2006-01-02 15:04:05" in
	// UTC (Magento's database time) or RFC 3339.
	UpdatedAt string `json:"updated_at"`
}

// WebhookVerifier checks what the module posts to /webhooks/magento (it
// implements web.WebhookVerifier): the shop named by X-Stockbell-Shop must
// be an installed Magento shop, and X-Stockbell-Signature must be the
// body's signature with that shop's module secret, within the replay
// window (stockbell.VerifyModulePost), before the body is parsed. The
// body's shop, when named, must be that shop. Retries of one post (the
// module's queue re-sends the same body) share a receipt.
type WebhookVerifier struct {
	Shops   stockbell.ShopService
	Secrets stockbell.WebhookSecretService
	Sealer  stockbell.TokenSealer
	Clock   stockbell.Clock
}

// VerifyWebhook returns the receipt of a module's post: EUNAUTHORIZED for
// an unknown shop or a bad, missing or stale signature, EINVALID naming
// the field of a malformed body.
func (v *WebhookVerifier) VerifyWebhook(ctx context.Context, header http.Header, body []byte) (*stockbell.WebhookReceipt, error) {
	shop, err := v.signedBy(ctx, header, body)
	if err != nil {
		return nil, err
	}
	post, err := ParseStockPost(body)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	rc := &stockbell.WebhookReceipt{Platform: stockbell.PlatformMagento, ShopID: &shop.ID, Domain: shop.Domain,
		EventID: hex.EncodeToString(sum[:16]), Topic: TopicStockChange, Payload: body, PayloadDomain: post.Shop}
	if at, ok := post.At(); ok {
		rc.TriggeredAt = at
	}
	return rc, nil
}

// signedBy returns the shop whose module secret signed the body.
func (v *WebhookVerifier) signedBy(ctx context.Context, header http.Header, body []byte) (*stockbell.Shop, error) {
	domain := strings.ToLower(strings.TrimSpace(header.Get(ShopHeader)))
	if domain == "" {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The post has no %s header naming the store.", ShopHeader)
	}
	unknown := stockbell.Errorf(stockbell.EUNAUTHORIZED, "No installed Magento store is %q.", domain)
	shop, err := v.Shops.FindShopByDomain(ctx, stockbell.PlatformMagento, domain)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND || (err == nil && !shop.Active()) {
		return nil, unknown
	} else if err != nil {
		return nil, err
	}
	stored, err := v.Secrets.FindShopWebhookSecret(ctx, shop.ID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, unknown
	} else if err != nil {
		return nil, err
	}
	secret, err := v.Sealer.Open(shop.ID, stored.Sealed)
	if err != nil {
		return nil, err
	}
	return shop, stockbell.VerifyModulePost(header.Get(stockbell.ModuleSignatureHeader), body, string(secret), v.Clock.Now())
}

// ParseStockPost reads a module's post, refusing (EINVALID, naming the
// field) one without a SKU, quantity or stock status, or with an
// unreadable time.
func ParseStockPost(body []byte) (*StockPost, error) {
	var p StockPost
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, stockbell.FieldErrorf("body", "The post is not the module's JSON stock change: %v", err)
	}
	switch {
	case strings.TrimSpace(p.SKU) == "":
		return nil, stockbell.FieldErrorf("sku", "The post names no SKU.")
	case p.Qty == nil:
		return nil, stockbell.FieldErrorf("qty", "The post has no qty.")
	case p.IsInStock == nil:
		return nil, stockbell.FieldErrorf("is_in_stock", "The post has no is_in_stock.")
	}
	if _, ok := p.At(); !ok && p.UpdatedAt != "" {
		return nil, stockbell.FieldErrorf("updated_at", "The post's updated_at %q is not \"YYYY-MM-DD hh:mm:ss\" (UTC) or RFC 3339.", p.UpdatedAt)
	}
	return &p, nil
}

// At returns Magento's time of the change; false when the post has none
// or it cannot be read.
func (p *StockPost) At() (time.Time, bool) {
	if p.UpdatedAt == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.DateTime, time.RFC3339} {
		if t, err := time.ParseInLocation(layout, p.UpdatedAt, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Location is the post's source, DefaultLocation when it names none.
func (p *StockPost) Location() string {
	if p.Source == "" {
		return stockbell.DefaultLocation
	}
	return p.Source
}

// Available is what the post leaves to sell at its source: the whole
// quantity when in stock (at most stockbell.MaxAvailable), nothing when
// out of stock or below zero.
func (p *StockPost) Available() int {
	return available(*p.Qty, *p.IsInStock)
}

func available(qty float64, inStock bool) int {
	switch {
	case !inStock || qty < 1:
		return 0
	case qty >= stockbell.MaxAvailable:
		// Converting a float beyond int's range gives an arbitrary
		// (negative, on amd64) int; a level beyond the bound cannot be stored.
		return stockbell.MaxAvailable
	}
	return int(qty)
}
