package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// DefaultMaxWebhookBytes bounds a webhook body. Shopify's largest payloads
// (a product with many variants and images) stay well under it.
const DefaultMaxWebhookBytes = 1 << 20

// WebhookHandler serves POST /webhooks/shopify. It reads the raw body (at
// most MaxBodyBytes, else 413), verifies X-Shopify-Hmac-Sha256 with the
// current or previous secret before anything is parsed (else 401), stores
// the delivery with its processing job, and answers 200. Nothing is stored
// for a refused delivery. The work happens later in Integration.ProcessDelivery.
type WebhookHandler struct {
	Config       stockbell.ShopifyConfig
	Shops        stockbell.ShopService
	Deliveries   stockbell.WebhookService
	MaxBodyBytes int64
	Logger       *slog.Logger
}

// VerifyWebhook reports whether signature is base64(HMAC-SHA256(secret,
// body)) for one of the secrets, compared in constant time.
func VerifyWebhook(secrets []string, body []byte, signature string) bool {
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

// ServeHTTP implements http.Handler.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := h.readBody(w, r)
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	if !VerifyWebhook(h.Config.Secrets(), body, r.Header.Get("X-Shopify-Hmac-Sha256")) {
		h.refuse(w, r, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The webhook signature (X-Shopify-Hmac-Sha256) does not match."))
		return
	}
	delivery, err := h.delivery(r, body)
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	created, err := h.Deliveries.RecordDelivery(r.Context(), delivery)
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"received": true, "duplicate": !created})
}

func (h *WebhookHandler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := h.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxWebhookBytes
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, stockbell.Errorf(stockbell.ETOOLARGE, "The webhook body is over %d bytes.", limit)
	}
	if err != nil {
		return nil, stockbell.FieldErrorf("body", "The webhook body could not be read: %v.", err)
	}
	return body, nil
}

// delivery builds the stored delivery from the verified request's headers.
func (h *WebhookHandler) delivery(r *http.Request, body []byte) (*stockbell.WebhookDelivery, error) {
	domain := r.Header.Get("X-Shopify-Shop-Domain")
	if !stockbell.ValidShopifyDomain(domain) {
		return nil, stockbell.FieldErrorf("X-Shopify-Shop-Domain", "%q is not a shop domain.", domain)
	}
	topic := r.Header.Get("X-Shopify-Topic")
	if topic == "" {
		return nil, stockbell.FieldErrorf("X-Shopify-Topic", "The webhook names no topic.")
	}
	id := r.Header.Get("X-Shopify-Event-Id")
	if id == "" {
		id = r.Header.Get("X-Shopify-Webhook-Id")
	}
	if id == "" {
		return nil, stockbell.FieldErrorf("X-Shopify-Webhook-Id", "The webhook carries neither an event id nor a webhook id.")
	}
	d := &stockbell.WebhookDelivery{
		Platform: stockbell.PlatformShopify, Domain: domain, DeliveryID: id, Topic: topic, Payload: body,
	}
	if at, err := time.Parse(time.RFC3339Nano, r.Header.Get("X-Shopify-Triggered-At")); err == nil {
		d.TriggeredAt = at.UTC()
	}
	if shop, err := h.Shops.FindShopByDomain(r.Context(), stockbell.PlatformShopify, domain); err == nil {
		d.ShopID = &shop.ID
	} else if stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return nil, err
	}
	return d, nil
}

func (h *WebhookHandler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(stockbell.ErrorCode(err))
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	h.Logger.Log(r.Context(), level, "shopify webhook refused", "status", status,
		"topic", r.Header.Get("X-Shopify-Topic"), "shop", r.Header.Get("X-Shopify-Shop-Domain"), "err", err)
	writeJSON(w, status, map[string]any{"error": map[string]string{
		"code": stockbell.ErrorCode(err), "message": stockbell.ErrorMessage(err), "field": stockbell.ErrorField(err),
	}})
}

func statusOf(code string) int {
	switch code {
	case stockbell.EINVALID:
		return http.StatusBadRequest
	case stockbell.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case stockbell.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
