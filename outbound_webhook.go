package stockbell

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Outbound webhook event types: what a shop's endpoints may be told of.
const (
	WebhookSubscriptionCreated      = "subscription.created"
	WebhookSubscriptionNotified     = "subscription.notified"
	WebhookSubscriptionUnsubscribed = "subscription.unsubscribed"
	// WebhookSubscriptionResubscribed: the shopper undid an unsubscribe
	// (EventResubscribed), which an endpoint told of the unsubscribe would
	// otherwise never learn.
	WebhookSubscriptionResubscribed = "subscription.resubscribed"
	WebhookRestockBatchSent         = "restock.batch_sent"
	WebhookConversionRecorded       = "conversion.recorded"
)

// WebhookEventTypes lists every outbound webhook event type.
var WebhookEventTypes = []string{WebhookSubscriptionCreated, WebhookSubscriptionNotified,
	WebhookSubscriptionUnsubscribed, WebhookSubscriptionResubscribed, WebhookRestockBatchSent, WebhookConversionRecorded}

// WebhookEventOf returns the outbound webhook event type that reports an
// activity event of the kind, or "" for a kind no webhook reports: a
// subscription made, notified (claimed by a batch, its first message
// queued; in a manual flow when the merchant approves the batch, not
// when it is held), unsubscribed by its contact, or that unsubscribe
// undone; a restock batch started (its
// subscribers claimed and their messages queued); a conversion recorded.
func WebhookEventOf(kind EventKind) string {
	switch kind {
	case EventSubscribed:
		return WebhookSubscriptionCreated
	case EventNotified:
		return WebhookSubscriptionNotified
	case EventUnsubscribed:
		return WebhookSubscriptionUnsubscribed
	case EventResubscribed:
		return WebhookSubscriptionResubscribed
	case EventBatchStarted:
		return WebhookRestockBatchSent
	case EventConverted:
		return WebhookConversionRecorded
	}
	return ""
}

// Outbound webhook delivery policy.
const (
	// WebhookMaxAttempts is how many times a delivery is tried, with the
	// job queue's backoff between tries (about 11 hours from the first to
	// the last).
	WebhookMaxAttempts = 12
	// WebhookTimeout bounds one delivery attempt.
	WebhookTimeout = 15 * time.Second
	// WebhookSecretPrefix begins a signing secret as shown to merchants.
	WebhookSecretPrefix = "whsec_"
	// MaxWebhookEndpoints is how many endpoints a shop may register.
	MaxWebhookEndpoints = 10
)

// WebhookEndpoint is a URL of a shop's that Stockbell posts events to,
// signed as the Standard Webhooks specification says with the endpoint's
// secret (sealed at rest; shown to the merchant once, as whsec_…).
type WebhookEndpoint struct {
	ID          int64    `db:"id" json:"id"`
	ShopID      int64    `db:"shop_id" json:"-"`
	URL         string   `db:"url" json:"url"`
	Description string   `db:"description" json:"description"`
	EventTypes  []string `db:"-" json:"event_types"`
	// LastSuccessAt is the last delivery the endpoint accepted;
	// FailingSince the first failed one after it (nil while it accepts).
	LastSuccessAt *time.Time `db:"last_success_at" json:"last_success_at,omitempty"`
	FailingSince  *time.Time `db:"failing_since" json:"failing_since,omitempty"`
	// DisabledAt is set when the endpoint stopped receiving events; the
	// reason says why (repeated failures, or the merchant).
	DisabledAt     *time.Time `db:"disabled_at" json:"disabled_at,omitempty"`
	DisabledReason string     `db:"disabled_reason" json:"disabled_reason,omitempty"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
}

// Enabled reports whether the endpoint receives events.
func (e *WebhookEndpoint) Enabled() bool { return e.DisabledAt == nil }

// Wants reports whether the endpoint receives events of the type.
func (e *WebhookEndpoint) Wants(eventType string) bool {
	return e.Enabled() && slices.Contains(e.EventTypes, eventType)
}

// WebhookEndpointCreate registers an endpoint.
type WebhookEndpointCreate struct {
	ShopID      int64
	URL         string
	Description string
	EventTypes  []string
}

// Validate tidies the request (URL and description trimmed, event types
// without duplicates, in WebhookEventTypes order) and returns EINVALID
// naming the field: "url" for anything but an absolute https URL without
// user information (http too when allowHTTP, for development),
// "event_types" for none or an unknown one, "description" when too long.
// Whether the URL's host is a public address is the caller's to check.
func (c *WebhookEndpointCreate) Validate(allowHTTP bool) error {
	c.URL, c.Description = strings.TrimSpace(c.URL), strings.TrimSpace(c.Description)
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return FieldErrorf("url", "Enter the endpoint's URL, such as https://example.com/webhooks/stockbell.")
	case err != nil || u.Host == "" || u.Hostname() == "":
		return FieldErrorf("url", "%q is not an absolute URL such as https://example.com/webhooks/stockbell.", c.URL)
	case u.Scheme != "https" && !(allowHTTP && u.Scheme == "http"):
		return FieldErrorf("url", "The endpoint's URL must begin with https://, got %q.", c.URL)
	case u.User != nil:
		return FieldErrorf("url", "Put no user name or password in the endpoint's URL.")
	case len(c.URL) > 2000:
		return FieldErrorf("url", "The endpoint's URL is over 2,000 bytes as UTF-8.")
	case len([]rune(c.Description)) > 200:
		return FieldErrorf("description", "A description has at most 200 characters.")
	}
	return c.tidyEventTypes()
}

func (c *WebhookEndpointCreate) tidyEventTypes() error {
	trimmed := make([]string, len(c.EventTypes))
	for i, t := range c.EventTypes {
		trimmed[i] = strings.TrimSpace(t)
	}
	if err := CheckWebhookEventTypes(trimmed); err != nil {
		return err
	}
	var tidy []string
	for _, t := range WebhookEventTypes {
		if slices.Contains(trimmed, t) {
			tidy = append(tidy, t)
		}
	}
	c.EventTypes = tidy
	return nil
}

// CheckWebhookEventTypes returns EINVALID naming "event_types" unless
// there is at least one type and every one is in WebhookEventTypes exactly
// (untrimmed, as stored): the store holds any caller to it, so that no
// endpoint keeps a type the dispatcher never matches.
func CheckWebhookEventTypes(types []string) error {
	for _, t := range types {
		if !slices.Contains(WebhookEventTypes, t) {
			return FieldErrorf("event_types", "Unknown event type %q: use %s.", t, strings.Join(WebhookEventTypes, ", "))
		}
	}
	if len(types) == 0 {
		return FieldErrorf("event_types", "Choose at least one event type: %s.", strings.Join(WebhookEventTypes, ", "))
	}
	return nil
}

// WebhookDeliveryJob posts one event to one endpoint. The store inserts it
// in the transaction that records the event, so an event is reported
// exactly when it happened. MessageID (the webhook-id header) and the
// payload are fixed then, so every retry sends the same message.
type WebhookDeliveryJob struct {
	// ShopID is the endpoint's shop (0 in a job queued before jobs carried
	// their shop: see JobShop).
	ShopID     int64  `json:"shop_id,omitempty"`
	EndpointID int64  `json:"endpoint_id"`
	MessageID  string `json:"message_id"`
	Type       string `json:"type"`
	// Timestamp is when the event happened (Unix seconds).
	Timestamp int64 `json:"timestamp"`
	// Payload is the JSON body: {"type", "timestamp", "data"}.
	Payload string `json:"payload"`
}

// Kind implements JobArgs.
func (WebhookDeliveryJob) Kind() string { return "webhook_delivery" }

// WebhookEndpointDisabledJob tells a shop's admin users by email that an
// endpoint was disabled after repeated failures; inserted with the change.
type WebhookEndpointDisabledJob struct {
	// ShopID is the endpoint's shop (0 in a job queued before jobs carried
	// their shop: see JobShop).
	ShopID     int64 `json:"shop_id,omitempty"`
	EndpointID int64 `json:"endpoint_id"`
}

// Kind implements JobArgs.
func (WebhookEndpointDisabledJob) Kind() string { return "webhook_endpoint_disabled" }

// WebhookDelivery is the outcome of one delivery attempt.
type WebhookDelivery struct {
	ShopID     int64
	EndpointID int64
	// OK is a 2xx answer; otherwise Error says what went wrong.
	OK    bool
	Error string
	// Final is a failed attempt after which the message is not retried.
	Final bool
	// MessageAt is when the delivered event happened.
	MessageAt time.Time
}

// WebhookEndpointService keeps shops' outbound webhook endpoints. Every
// method is scoped to a shop: another shop's endpoint is not found.
type WebhookEndpointService interface {
	JobShops
	// CreateWebhookEndpoint stores a validated endpoint with its sealed
	// secret. Returns EINVALID naming event_types when CheckWebhookEventTypes
	// refuses them (nothing stored), ENOTFOUND for an unknown shop,
	// ECONFLICT when the shop has MaxWebhookEndpoints already.
	CreateWebhookEndpoint(ctx context.Context, create WebhookEndpointCreate, sealedSecret []byte) (*WebhookEndpoint, error)
	// FindWebhookEndpoints returns the shop's endpoints, oldest first.
	FindWebhookEndpoints(ctx context.Context, shopID int64) ([]*WebhookEndpoint, error)
	// FindWebhookEndpoint returns ENOTFOUND unless the endpoint is the shop's.
	FindWebhookEndpoint(ctx context.Context, shopID, id int64) (*WebhookEndpoint, error)
	// DeleteWebhookEndpoint removes the endpoint; deliveries still queued
	// for it are dropped. Returns ENOTFOUND unless it is the shop's.
	DeleteWebhookEndpoint(ctx context.Context, shopID, id int64) error
	// SetWebhookEndpointEnabled enables (clearing its failures) or disables
	// the endpoint. Returns ENOTFOUND unless it is the shop's.
	SetWebhookEndpointEnabled(ctx context.Context, shopID, id int64, enabled bool) (*WebhookEndpoint, error)
	// WebhookEndpointSecret returns the shop's endpoint and its sealed
	// secret, for a delivery. Returns ENOTFOUND for a deleted endpoint.
	WebhookEndpointSecret(ctx context.Context, shopID, id int64) (*WebhookEndpoint, []byte, error)
	// RecordWebhookDelivery records an attempt's outcome: a success clears
	// the endpoint's failures; a final failure disables the endpoint when
	// it accepted nothing since the message's event, with a
	// WebhookEndpointDisabledJob. It returns the endpoint as stored.
	RecordWebhookDelivery(ctx context.Context, d WebhookDelivery) (*WebhookEndpoint, error)
}
