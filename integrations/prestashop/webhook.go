package prestashop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// ShopHeader names the shop a module's post comes from (its base URL or
// Stockbell domain). It is not signed: it only chooses whose module secret
// the signature is checked with, and the signed body must name the same
// shop.
const ShopHeader = "X-Stockbell-Shop"

// WebhookVerifier checks what the module posts to /webhooks/prestashop
// (it implements web.WebhookVerifier): the X-Stockbell-Signature of the raw
// body with the module secret of the shop ShopHeader names, and its
// timestamp within stockbell.ModuleSignatureTolerance, before anything is
// parsed; then the body, whose shop must be that shop.
type WebhookVerifier struct {
	Shops   stockbell.ShopService
	Secrets stockbell.WebhookSecretService
	Sealer  stockbell.TokenSealer
	Clock   stockbell.Clock
}

// VerifyWebhook returns the receipt of a module's post: EUNAUTHORIZED for
// an unknown shop, a bad signature or a stale timestamp, EINVALID naming
// the field of a malformed body. Receipts are deduplicated on the body's
// SHA-256: a retried post is the same bytes.
func (v *WebhookVerifier) VerifyWebhook(ctx context.Context, header http.Header, body []byte) (*stockbell.WebhookReceipt, error) {
	shop, secret, err := v.shopSecret(ctx, header.Get(ShopHeader))
	if err != nil {
		return nil, err
	}
	if err := stockbell.VerifyModulePost(header.Get(stockbell.ModuleSignatureHeader), body, secret, v.Clock.Now()); err != nil {
		return nil, err
	}
	post, at, err := ParseStockPost(body)
	if err != nil {
		return nil, err
	}
	bodyShop, err := stockbell.PrestaShopDomain(post.Shop)
	if err != nil {
		bodyShop = strings.ToLower(strings.TrimRight(strings.TrimSpace(post.Shop), "/"))
	}
	sum := sha256.Sum256(body)
	return &stockbell.WebhookReceipt{Platform: stockbell.PlatformPrestaShop, ShopID: &shop.ID, Domain: shop.Domain,
		PayloadDomain: bodyShop, EventID: hex.EncodeToString(sum[:]), Topic: TopicStockUpdate, TriggeredAt: at, Payload: body}, nil
}

// shopSecret finds the connected shop the header names and opens its
// module secret. Any failure is the same EUNAUTHORIZED, naming the shop as
// Stockbell read the header (which the sender already knows): the header
// is not trusted, so it learns nothing more, while the merchant sees the
// address the module posted as beside the one they connected.
func (v *WebhookVerifier) shopSecret(ctx context.Context, name string) (*stockbell.Shop, string, error) {
	domain, err := stockbell.PrestaShopDomain(name)
	if err != nil {
		domain = strings.TrimRight(strings.ToLower(strings.TrimSpace(name)), "/")
	}
	if domain == "" {
		return nil, "", stockbell.Errorf(stockbell.EUNAUTHORIZED, "The post does not come from a connected PrestaShop shop: its %s header names no shop.", ShopHeader)
	}
	refused := stockbell.Errorf(stockbell.EUNAUTHORIZED, "The post does not come from a connected PrestaShop shop: %s names %q, which is not connected to Stockbell.", ShopHeader, domain)
	shop, err := v.Shops.FindShopByDomain(ctx, stockbell.PlatformPrestaShop, domain)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND || (err == nil && !shop.Active()) {
		return nil, "", refused
	} else if err != nil {
		return nil, "", err
	}
	stored, err := v.Secrets.FindShopWebhookSecret(ctx, shop.ID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, "", refused
	} else if err != nil {
		return nil, "", err
	}
	secret, err := v.Sealer.Open(shop.ID, stored.Sealed)
	if err != nil {
		return nil, "", refused
	}
	return shop, string(secret), nil
}
