package shopify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// WebhookVerifier checks what Shopify posts to /webhooks/shopify and turns
// it into the receipt to store (it implements web.WebhookVerifier): the
// X-Shopify-Hmac-Sha256 signature with the current or previous secret
// before anything is parsed, then the shop, topic and event id headers.
// The work happens later in Integration.ProcessReceipt. It reads nothing
// from the database: the store gives the receipt its shop as it stores it.
type WebhookVerifier struct {
	Config stockbell.ShopifyConfig
}

// VerifySignature reports whether signature is base64(HMAC-SHA256(secret,
// body)) for one of the secrets, compared in constant time.
func VerifySignature(secrets []string, body []byte, signature string) bool {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	ok := false
	for _, secret := range secrets {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		ok = hmac.Equal(got, mac.Sum(nil)) || ok
	}
	return ok
}

// VerifyWebhook returns the receipt of a signed Shopify webhook. It returns
// EUNAUTHORIZED when the signature does not match, EINVALID naming the
// header when the shop domain, topic or event id is missing or malformed,
// and EINVALID naming the field when the body does not fit its topic (see
// bindTopic). The receipt's PayloadDomain is the shop the body names.
func (v *WebhookVerifier) VerifyWebhook(ctx context.Context, header http.Header, body []byte) (*stockbell.WebhookReceipt, error) {
	if !VerifySignature(v.Config.Secrets(), body, header.Get("X-Shopify-Hmac-Sha256")) {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The webhook signature (X-Shopify-Hmac-Sha256) does not match.")
	}
	domain := header.Get("X-Shopify-Shop-Domain")
	if !stockbell.ValidShopifyDomain(domain) {
		return nil, stockbell.FieldErrorf("X-Shopify-Shop-Domain", "%q is not a shop domain.", domain)
	}
	topic := header.Get("X-Shopify-Topic")
	if topic == "" {
		return nil, stockbell.FieldErrorf("X-Shopify-Topic", "The webhook names no topic.")
	}
	id := header.Get("X-Shopify-Event-Id")
	if id == "" {
		id = header.Get("X-Shopify-Webhook-Id")
	}
	if id == "" {
		return nil, stockbell.FieldErrorf("X-Shopify-Webhook-Id", "The webhook carries neither an event id nor a webhook id.")
	}
	hook, err := ParseWebhook(topic, body)
	if err != nil {
		return nil, err
	}
	payloadDomain, err := bindTopic(hook, body)
	if err != nil {
		return nil, err
	}
	rc := &stockbell.WebhookReceipt{
		Platform: stockbell.PlatformShopify, Domain: domain, EventID: id, Topic: topic, Payload: body, PayloadDomain: payloadDomain,
	}
	if at, err := time.Parse(time.RFC3339Nano, header.Get("X-Shopify-Triggered-At")); err == nil {
		rc.TriggeredAt = at.UTC()
	}
	return rc, nil
}
