package web

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// SubscriptionsPath is the storefront API route the snippet posts to.
const SubscriptionsPath = "/api/storefront/v1/subscriptions"

// maxSubscriptionBody is the largest subscription request accepted.
const maxSubscriptionBody = 8 << 10

// OriginLister returns the storefront origins a merchant added, and tells
// whether any shop added an origin (ShopOriginService's
// FindStorefrontOrigins and IsStorefrontOrigin).
type OriginLister interface {
	FindStorefrontOrigins(ctx context.Context, shopID int64) ([]string, error)
	IsStorefrontOrigin(ctx context.Context, origin string) (bool, error)
}

// SettingsFinder returns a shop's restock settings (SettingsService's
// FindSettings).
type SettingsFinder interface {
	FindSettings(ctx context.Context, shopID int64) (*stockbell.RestockSettings, error)
}

// Storefront serves the storefront API that shoppers' browsers call.
type Storefront struct {
	Shops         stockbell.ShopService
	Origins       OriginLister
	Catalog       stockbell.CatalogService
	Subscriptions stockbell.SubscriptionService
	// Settings tells the honeypot's answer whether the shop asks email
	// subscribers to confirm (nil: it answers as if not).
	Settings SettingsFinder
	Clock    stockbell.Clock
	Logger   *slog.Logger
	// Metrics counts the subscriptions created (nil: not counted).
	Metrics stockbell.SubscriptionMetrics
	// Development allows loopback origins (http://localhost:PORT) for every shop.
	Development    bool
	TrustedProxies []netip.Prefix
	// Clicks counts the clicks that product pages report (nil: ClicksPath
	// is not served).
	Clicks LandingClicks

	ipLimiter      *keyedLimiter
	contactLimiter *keyedLimiter
	clickLimiter   *keyedLimiter
}

// SetRateLimits sets the per-client-address and per-contact limits. Click
// reports have a per-client-address bucket of their own at the same limit,
// so that landing on a page never costs a subscription.
func (f *Storefront) SetRateLimits(perIP, perContact RateLimit) {
	f.ipLimiter = newKeyedLimiter(perIP)
	f.contactLimiter = newKeyedLimiter(perContact)
	f.clickLimiter = newKeyedLimiter(perIP)
}

// RegisterStorefront serves the storefront API: POST and OPTIONS (CORS
// preflight) on SubscriptionsPath and ClicksPath, GET on StatusPath.
func (s *Server) RegisterStorefront(f *Storefront) {
	h := &storefrontHandler{Storefront: f, server: s}
	s.router.HandleFunc(SubscriptionsPath, h.handleCreate).Methods(http.MethodPost)
	s.router.HandleFunc(SubscriptionsPath, h.handlePreflight).Methods(http.MethodOptions)
	s.router.HandleFunc(StatusPath, h.handleStatus).Methods(http.MethodGet)
	if f.Clicks != nil {
		s.router.HandleFunc(ClicksPath, h.handleClick).Methods(http.MethodPost)
		s.router.HandleFunc(ClicksPath, h.handlePreflight).Methods(http.MethodOptions)
	}
}

type storefrontHandler struct {
	*Storefront
	server *Server
}

// subscriptionRequest is the JSON the snippet posts, as a simple CORS
// request (Content-Type text/plain) so that browsers send no preflight.
type subscriptionRequest struct {
	Shop             string          `json:"shop"`
	VariantID        json.RawMessage `json:"variant_id"` // a string, or a number from themes that print ids raw
	Email            string          `json:"email"`
	Phone            string          `json:"phone"`
	PhoneCountry     string          `json:"phone_country"`
	Channels         []string        `json:"channels"`
	SMSConsent       bool            `json:"sms_consent"`
	SMSConsentText   string          `json:"sms_consent_text"`
	MarketingConsent bool            `json:"marketing_consent"`
	Locale           string          `json:"locale"`
	// Honeypot fields are invisible to people; bots fill them.
	Website  string `json:"website"`
	Honeypot string `json:"hp"`

	// platformVariantID is VariantID read by variantIDOf.
	platformVariantID string
}

// subscriptionResponse is the JSON answer for a created or existing subscription.
type subscriptionResponse struct {
	Subscription subscriptionView `json:"subscription"`
}

type subscriptionView struct {
	ID       int64                        `json:"id"`
	Status   stockbell.SubscriptionStatus `json:"status"`
	Channels stockbell.Channels           `json:"channels"`
	// AwaitingConfirmation are the channels waiting for the shopper's
	// confirmation (double opt-in): the snippet asks them to check their
	// phone or inbox. Absent when none.
	AwaitingConfirmation stockbell.Channels `json:"awaiting_confirmation,omitempty"`
	VariantID            string             `json:"variant_id"`
	Locale               string             `json:"locale,omitempty"`
	CreatedAt            time.Time          `json:"created_at"`
}

func (h *storefrontHandler) handleCreate(w http.ResponseWriter, r *http.Request) {
	if !h.allowClient(w, r, h.ipLimiter) {
		return
	}
	req, err := decodeSubscription(w, r)
	if err != nil {
		h.refuse(w, r, err, "unreadable body")
		return
	}
	shop := h.shopOfPage(w, r, req.Shop)
	if shop == nil {
		return
	}
	h.create(w, r, shop, req)
}

// shopOfPage returns the active shop whose key the page sent, once the
// page's origin is found to be one of its storefronts (allowOrigin);
// else it answers the refusal and returns nil.
func (h *storefrontHandler) shopOfPage(w http.ResponseWriter, r *http.Request, key string) *stockbell.Shop {
	shop, err := h.findShop(r.Context(), key)
	if err != nil {
		h.refuse(w, r, err, h.whyUnknown(r, key))
		return nil
	}
	if !h.allowOrigin(w, r, shop) {
		h.refuse(w, r, h.originRefusal(r), "origin "+r.Header.Get("Origin")+" is not a storefront of "+shop.Domain)
		return nil
	}
	return shop
}

func (h *storefrontHandler) create(w http.ResponseWriter, r *http.Request, shop *stockbell.Shop, req *subscriptionRequest) {
	create, err := validateSubscription(shop, req)
	if err != nil {
		h.server.Error(w, r, err)
		return
	}
	if req.Website != "" || req.Honeypot != "" {
		h.answerHoneypot(w, r, shop, create, req.platformVariantID)
		return
	}
	if !h.contactLimiter.Allow(contactKey(create), h.Clock.Now()) {
		h.rateLimited(w, r)
		return
	}
	variant, err := h.soldOutVariant(r.Context(), shop.ID, req.platformVariantID)
	if err != nil {
		h.server.Error(w, r, err)
		return
	}
	create.VariantID = variant.ID
	create.ConsentIP = ClientIP(r, h.TrustedProxies)
	sub, created, err := h.Subscriptions.CreateSubscription(r.Context(), create)
	if err != nil {
		h.server.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		if h.Metrics != nil {
			h.Metrics.SubscriptionCreated(sub.Channels)
		}
	}
	WriteJSON(w, status, subscriptionResponse{Subscription: viewOf(sub, variant.PlatformID)})
}

// decodeSubscription reads at most 8 KB of JSON whatever the content type
// (decodeSubscriptionRequest). Fields the storefront does not know are
// ignored (a newer snippet may send more).
func decodeSubscription(w http.ResponseWriter, r *http.Request) (*subscriptionRequest, error) {
	body, err := readBody(w, r, maxSubscriptionBody)
	if err != nil {
		return nil, err
	}
	return decodeSubscriptionRequest(body, false)
}

// decodeSubscriptionRequest decodes a subscription request (decodeJSONBody)
// and reads its variant id.
func decodeSubscriptionRequest(body []byte, refuseUnknown bool) (*subscriptionRequest, error) {
	var req subscriptionRequest
	err := decodeJSONBody(body, &req, refuseUnknown)
	if err == nil {
		req.platformVariantID, err = variantIDOf(req.VariantID)
	}
	if err != nil {
		return nil, err
	}
	return &req, nil
}

func (h *storefrontHandler) findShop(ctx context.Context, key string) (*stockbell.Shop, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, stockbell.FieldErrorf("shop", "The shop is missing.")
	}
	shop, err := h.Shops.FindShopByKey(ctx, key)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND || (err == nil && !shop.Active()) {
		return nil, &stockbell.Error{Code: stockbell.ENOTFOUND, Field: "shop", Message: "No shop " + key +
			" takes alerts on this Stockbell server: check the script's data-shop (the shop's key is on the Install page of its Stockbell admin)."}
	}
	return shop, err
}

func (h *storefrontHandler) rateLimited(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "60")
	h.server.Error(w, r, stockbell.Errorf(stockbell.ERATELIMITED, "Too many requests. Please try again in a minute."))
}

// answerHoneypot answers a bot as a new subscription would be answered, so
// that it learns nothing: a request the form would refuse is refused with
// the same error, and a valid one gets the status and the channels awaiting
// confirmation that a real one would. Nothing is stored.
func (h *storefrontHandler) answerHoneypot(w http.ResponseWriter, r *http.Request, shop *stockbell.Shop, create stockbell.SubscriptionCreate, platformID string) {
	variant, err := h.soldOutVariant(r.Context(), shop.ID, platformID)
	if err != nil {
		h.server.Error(w, r, err)
		return
	}
	emailDoubleOptIn := false
	if h.Settings != nil {
		settings, err := h.Settings.FindSettings(r.Context(), shop.ID)
		if err != nil {
			h.server.Error(w, r, err)
			return
		}
		emailDoubleOptIn = settings.EmailDoubleOptIn
	}
	awaiting := stockbell.ChannelsToConfirm(create.Channels, contact.PhoneRegion(create.Phone), emailDoubleOptIn)
	var b [4]byte
	rand.Read(b[:])
	h.Logger.Info("honeypot filled; subscription dropped", "shop", shop.Domain)
	WriteJSON(w, http.StatusCreated, subscriptionResponse{Subscription: subscriptionView{
		ID: int64(binary.BigEndian.Uint32(b[:]) >> 1), Status: stockbell.InitialStatus(create.Channels, awaiting),
		Channels: create.Channels, AwaitingConfirmation: awaiting, VariantID: variant.PlatformID, Locale: create.Locale,
		CreatedAt: h.Clock.Now(),
	}})
}

// soldOutVariant finds the variant and checks shoppers may subscribe to it.
func (h *storefrontHandler) soldOutVariant(ctx context.Context, shopID int64, platformID string) (*stockbell.VariantWithProduct, error) {
	variant, err := notifiableVariant(ctx, h.Catalog.FindVariantForSignup, shopID, platformID)
	if err != nil {
		return nil, err
	}
	if !variant.SoldOut() {
		return nil, stockbell.FieldErrorf("variant_id", "This variant is in stock: it can be bought now.")
	}
	return variant, nil
}

// variantFinder finds a shop's variant by the platform's id
// (CatalogService's FindVariant or FindVariantForSignup).
type variantFinder func(ctx context.Context, shopID int64, platformID string) (*stockbell.VariantWithProduct, error)

// notifiableVariant finds the shop's variant by the platform's id and
// checks that its subscribers may be notified at all; an unknown one, or
// one not notifiable (unpublished or deleted, its product or itself), is
// EINVALID naming variant_id.
func notifiableVariant(ctx context.Context, find variantFinder, shopID int64, platformID string) (*stockbell.VariantWithProduct, error) {
	if platformID == "" {
		return nil, stockbell.FieldErrorf("variant_id", "The variant is missing.")
	}
	variant, err := find(ctx, shopID, platformID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, stockbell.FieldErrorf("variant_id", "Unknown variant %s.", platformID)
	} else if err != nil {
		return nil, err
	}
	if !variant.Notifiable() {
		return nil, stockbell.FieldErrorf("variant_id", "This product is not available for alerts.")
	}
	return variant, nil
}

// validateSubscription builds the subscription request, validates it
// (SubscriptionCreate.Validate) and normalises its contacts.
func validateSubscription(shop *stockbell.Shop, req *subscriptionRequest) (stockbell.SubscriptionCreate, error) {
	create := stockbell.SubscriptionCreate{ShopID: shop.ID, Source: "snippet", Email: req.Email, Phone: req.Phone,
		Locale: req.Locale, SMSConsent: req.SMSConsent, SMSConsentText: req.SMSConsentText, MarketingConsent: req.MarketingConsent}
	for _, c := range req.Channels {
		create.Channels = append(create.Channels, stockbell.Channel(c))
	}
	if err := create.Validate(); err != nil {
		return create, err
	}
	var err error
	if create.Email != "" {
		if create.Email, err = contact.NormalizeEmail(create.Email); err != nil {
			return create, err
		}
	}
	if create.Phone != "" {
		create.Phone, err = contact.NormalizeMobile(create.Phone, req.PhoneCountry)
	}
	return create, err
}

func contactKey(c stockbell.SubscriptionCreate) string {
	return strconv.FormatInt(c.ShopID, 10) + "|" + c.Email + "|" + c.Phone
}

var digits = regexp.MustCompile(`^[0-9]+$`)

// variantIDOf reads the variant id as a string or as a bare whole JSON
// number, keeping every digit (Shopify ids exceed 2^53, so decoding them as
// float64 would change them). Absent or null is "", the variant missing;
// any other JSON value is EINVALID naming variant_id and what it must be.
func variantIDOf(raw json.RawMessage) (string, error) {
	text := strings.TrimSpace(string(raw))
	var s string
	switch {
	case text == "" || text == "null":
		return "", nil
	case digits.MatchString(text):
		return text, nil
	case json.Unmarshal(raw, &s) == nil:
		return strings.TrimSpace(s), nil
	}
	return "", stockbell.FieldErrorf("variant_id", "variant_id must be a JSON string or whole number, got %s.", jsonValueKind(text))
}

func viewOf(sub *stockbell.Subscription, variantPlatformID string) subscriptionView {
	return subscriptionView{ID: sub.ID, Status: sub.Status, Channels: sub.Channels, AwaitingConfirmation: sub.Awaiting,
		VariantID: variantPlatformID, Locale: sub.Locale, CreatedAt: sub.CreatedAt}
}
