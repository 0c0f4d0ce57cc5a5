package shopifytest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// SignWebhook returns X-Shopify-Hmac-Sha256 for body: base64 of
// HMAC-SHA256 with the app secret over the raw bytes.
func SignWebhook(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Webhook is one webhook for the fake to send, as Shopify would.
type Webhook struct {
	Topic string
	Shop  string
	Body  []byte
	// EventID and WebhookID default to fresh random ids; reuse them to
	// play a retry of the same event.
	EventID   string
	WebhookID string
	// TriggeredAt defaults to the clock's now.
	TriggeredAt time.Time
	// Secret overrides the fake's secret (to play a bad signature).
	Secret string
}

// SendWebhook posts the webhook to url with the headers Shopify sends.
func (f *Fake) SendWebhook(url string, d Webhook) (*http.Response, error) {
	req, err := f.WebhookRequest(url, d)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

// WebhookRequest builds the signed request SendWebhook sends.
func (f *Fake) WebhookRequest(url string, d Webhook) (*http.Request, error) {
	if d.EventID == "" {
		d.EventID = randomHex(8)
	}
	if d.WebhookID == "" {
		d.WebhookID = randomHex(8)
	}
	if d.TriggeredAt.IsZero() {
		d.TriggeredAt = f.Clock.Now()
	}
	if d.Secret == "" {
		d.Secret = f.Secret
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return nil, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("X-Shopify-Topic", d.Topic)
	h.Set("X-Shopify-Hmac-Sha256", SignWebhook(d.Secret, d.Body))
	h.Set("X-Shopify-Shop-Domain", d.Shop)
	h.Set("X-Shopify-API-Version", f.APIVersion)
	h.Set("X-Shopify-Webhook-Id", d.WebhookID)
	h.Set("X-Shopify-Event-Id", d.EventID)
	h.Set("X-Shopify-Triggered-At", d.TriggeredAt.UTC().Format(time.RFC3339Nano))
	return req, nil
}
