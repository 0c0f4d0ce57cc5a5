package stockbell

import (
	"context"
	"time"
)

// Channel is a way to reach a subscriber.
type Channel string

// Channels.
const (
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
)

// SubscriptionStatus is where a subscription is in the back-in-stock flow.
type SubscriptionStatus string

// Subscription statuses. Only queued subscriptions wait for a restock; a
// subscription is notified at most once.
const (
	SubscriptionQueued       SubscriptionStatus = "queued"
	SubscriptionNotified     SubscriptionStatus = "notified"
	SubscriptionUnsubscribed SubscriptionStatus = "unsubscribed"
	SubscriptionCancelled    SubscriptionStatus = "cancelled"
)

// Subscription is one shopper waiting for one variant. A shopper who leaves
// both an email and a phone number is one subscription with two channels:
// it counts once in batch sizes.
type Subscription struct {
	ID        int64              `db:"id" json:"id"`
	ShopID    int64              `db:"shop_id" json:"shop_id"`
	VariantID int64              `db:"variant_id" json:"variant_id"`
	Email     string             `db:"email" json:"email,omitempty"` // normalised: trimmed, lower-case, IDNA domain
	Phone     string             `db:"phone" json:"phone,omitempty"` // normalised: E.164
	Channels  Channels           `db:"channels" json:"channels"`
	Status    SubscriptionStatus `db:"status" json:"status"`
	Locale    string             `db:"locale" json:"locale,omitempty"`
	// Consent is what the shopper agreed to and when: the SMS consent text
	// shown, marketing opt-in, the page and the client address.
	SMSConsent       bool       `db:"sms_consent" json:"sms_consent"`
	SMSConsentText   string     `db:"sms_consent_text" json:"sms_consent_text,omitempty"`
	MarketingConsent bool       `db:"marketing_consent" json:"marketing_consent"`
	ConsentIP        string     `db:"consent_ip" json:"-"`
	Source           string     `db:"source" json:"source"` // snippet, api, import
	CreatedAt        time.Time  `db:"created_at" json:"created_at"`
	NotifiedAt       *time.Time `db:"notified_at" json:"notified_at,omitempty"`
	UpdatedAt        time.Time  `db:"updated_at" json:"updated_at"`
}

// Has reports whether the subscription uses channel c.
func (s *Subscription) Has(c Channel) bool {
	for _, ch := range s.Channels {
		if ch == c {
			return true
		}
	}
	return false
}

// SubscriptionCreate is a new subscription, already validated and
// normalised by the caller's adapter (the storefront API).
type SubscriptionCreate struct {
	ShopID           int64
	VariantID        int64
	Email            string
	Phone            string
	Channels         Channels
	Locale           string
	SMSConsent       bool
	SMSConsentText   string
	MarketingConsent bool
	ConsentIP        string
	Source           string
}

// SubscriptionFilter selects subscriptions; nil fields do not filter.
type SubscriptionFilter struct {
	ID        *int64
	ShopID    *int64
	VariantID *int64
	Status    *SubscriptionStatus
	Email     *string
	Phone     *string
	// Search matches part of the email or phone (case-insensitive).
	Search *string
	Offset int
	Limit  int
}

// SubscriptionService manages subscriptions.
type SubscriptionService interface {
	// CreateSubscription queues a subscription. When the same normalised
	// email or phone is already queued for the variant it returns that
	// subscription and created=false. Returns EINVALID when no channel has a
	// contact, ENOTFOUND for an unknown variant.
	CreateSubscription(ctx context.Context, create SubscriptionCreate) (sub *Subscription, created bool, err error)
	// FindSubscriptionByID returns ENOTFOUND.
	FindSubscriptionByID(ctx context.Context, id int64) (*Subscription, error)
	// FindSubscriptions returns the matching subscriptions, oldest first, and the total count.
	FindSubscriptions(ctx context.Context, filter SubscriptionFilter) ([]*Subscription, int, error)
	// Unsubscribe marks the subscription unsubscribed. Returns ENOTFOUND.
	Unsubscribe(ctx context.Context, id int64) error
}
