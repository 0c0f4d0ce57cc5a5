package stockbell

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
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

// Subscription statuses. Only queued subscriptions wait for a restock
// (pending ones wait for a confirmation first, see SubscriptionPending); a
// subscription is notified at most once. A batch of a manual flow takes
// its subscribers out of the queue as held: they are notified when the
// merchant approves the batch, and discarded (never notified) when the
// merchant discards it.
const (
	SubscriptionQueued       SubscriptionStatus = "queued"
	SubscriptionHeld         SubscriptionStatus = "held"
	SubscriptionNotified     SubscriptionStatus = "notified"
	SubscriptionDiscarded    SubscriptionStatus = "discarded"
	SubscriptionUnsubscribed SubscriptionStatus = "unsubscribed"
	SubscriptionCancelled    SubscriptionStatus = "cancelled"
)

// SubscriptionStatuses lists every subscription status, in the order a
// subscription goes through them.
var SubscriptionStatuses = []SubscriptionStatus{SubscriptionQueued, SubscriptionPending, SubscriptionHeld, SubscriptionNotified,
	SubscriptionDiscarded, SubscriptionUnsubscribed, SubscriptionCancelled}

// Removable reports whether a merchant can remove a subscription of the
// status (RemoveSubscription): one queued, pending, or held in a batch
// waiting for approval; not one notified, discarded or gone.
func Removable(status SubscriptionStatus) bool {
	return status == SubscriptionQueued || status == SubscriptionPending || status == SubscriptionHeld
}

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
	// Awaiting are the channels waiting for the shopper's confirmation
	// (double opt-in): nothing is sent on them until it comes.
	Awaiting Channels `db:"awaiting" json:"awaiting,omitempty"`
	Locale   string   `db:"locale" json:"locale,omitempty"`
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
	// UnsubscribedAt and UnsubscribedFrom are when an unsubscribe link
	// ended the subscription and the status it had, while an undo can
	// still restore it (UndoUnsubscribe); an undo or STOP from its number
	// clears them.
	UnsubscribedAt   *time.Time         `db:"unsubscribed_at" json:"unsubscribed_at,omitempty"`
	UnsubscribedFrom SubscriptionStatus `db:"unsubscribed_from" json:"unsubscribed_from,omitempty"`
}

// Has reports whether the subscription uses channel c.
func (s *Subscription) Has(c Channel) bool { return s.Channels.Has(c) }

// Contact returns the subscriber's address for a channel: the email for
// email, the phone number for SMS, "" when there is none.
func (s *Subscription) Contact(ch Channel) string {
	switch ch {
	case ChannelEmail:
		return s.Email
	case ChannelSMS:
		return s.Phone
	}
	return ""
}

// SubscriptionCreate is a new subscription. Its Validate method is the one
// validation of a subscription request; the contacts are normalised by the
// contact package before it is stored.
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

// MaxSMSConsentText is the most characters of the SMS consent text a
// subscription keeps as its proof of consent (the form's default is under
// 100; a shop's own wording with its terms fits well within it).
const MaxSMSConsentText = 1000

var localePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$`)

// Validate checks a subscription request and tidies it: channels
// lower-cased without duplicates, contacts trimmed, the contact of a
// channel not chosen dropped, the locale spelled with hyphens. It returns
// EINVALID naming the field: "channels" for none or one other than email
// and sms; "email" or "phone" when a chosen channel has no contact;
// "sms_consent" for SMS without the shopper's consent; "locale" for
// something that is not a locale such as en or fr-CA; "sms_consent_text"
// for a consent text over MaxSMSConsentText characters. The shape of the
// email address and phone number is the contact package's to check.
func (c *SubscriptionCreate) Validate() error {
	if err := c.tidyChannels(); err != nil {
		return err
	}
	c.Email, c.Phone = strings.TrimSpace(c.Email), strings.TrimSpace(c.Phone)
	for _, ch := range c.Channels {
		switch {
		case ch == ChannelEmail && c.Email == "":
			return FieldErrorf("email", "Enter your email address.")
		case ch == ChannelSMS && c.Phone == "":
			return FieldErrorf("phone", "Enter your phone number.")
		case ch == ChannelSMS && !c.SMSConsent:
			return FieldErrorf("sms_consent", "Tick the box to agree to receive text messages.")
		}
	}
	if !c.Channels.Has(ChannelEmail) {
		c.Email = ""
	}
	if !c.Channels.Has(ChannelSMS) {
		c.Phone = ""
	}
	if c.Locale != "" && (!localePattern.MatchString(c.Locale) || len(c.Locale) > 35) {
		return FieldErrorf("locale", "%q is not a locale such as en or fr-CA.", c.Locale)
	}
	c.Locale = strings.ReplaceAll(c.Locale, "_", "-")
	if utf8.RuneCountInString(c.SMSConsentText) > MaxSMSConsentText {
		return FieldErrorf("sms_consent_text", "The SMS consent text has at most %s characters, got %d.", thousands(MaxSMSConsentText), utf8.RuneCountInString(c.SMSConsentText))
	}
	return nil
}

func (c *SubscriptionCreate) tidyChannels() error {
	var channels Channels
	for _, raw := range c.Channels {
		ch := Channel(strings.ToLower(strings.TrimSpace(string(raw))))
		if ch != ChannelEmail && ch != ChannelSMS {
			return FieldErrorf("channels", "Unknown channel %q: use email or sms.", raw)
		}
		if !channels.Has(ch) {
			channels = append(channels, ch)
		}
	}
	if len(channels) == 0 {
		return FieldErrorf("channels", "Choose at least one channel: email or sms.")
	}
	c.Channels = channels
	return nil
}

// SubscriptionFilter selects subscriptions of one shop: ShopID is required (a
// filter without it is EINVALID, never "all shops"); other nil fields do
// not filter.
type SubscriptionFilter struct {
	ID        *int64
	ShopID    *int64
	VariantID *int64
	Status    *SubscriptionStatus
	Email     *string
	Phone     *string
	// Search matches part of the email or phone (case-insensitive).
	Search *string
	// AfterID pages by cursor: only subscriptions with a greater id, in
	// order of id (which is the order they were made in).
	AfterID *int64
	Offset  int
	Limit   int
}

// SubscriptionService manages subscriptions.
type SubscriptionService interface {
	// CreateSubscription queues a subscription. When the same normalised
	// email or phone is already queued for the variant it returns that
	// subscription and created=false. Returns EINVALID when no channel has a
	// contact, ENOTFOUND for an unknown variant.
	CreateSubscription(ctx context.Context, create SubscriptionCreate) (sub *Subscription, created bool, err error)
	// FindSubscriptionByID returns the shop's subscription by its id.
	// Returns ENOTFOUND (also for another shop's subscription).
	FindSubscriptionByID(ctx context.Context, shopID, id int64) (*Subscription, error)
	// FindSubscriptions returns the matching subscriptions, oldest first, and the total count.
	FindSubscriptions(ctx context.Context, filter SubscriptionFilter) ([]*Subscription, int, error)
	// Unsubscribe marks the shop's subscription unsubscribed. Returns
	// ENOTFOUND (also for another shop's subscription).
	Unsubscribe(ctx context.Context, shopID, id int64) error
	// EndSubscription is Unsubscribe reporting whether this call ended the
	// subscription: false when it was unsubscribed already (a one-click
	// unsubscribe that came first), which records nothing. Returns
	// ENOTFOUND (also for another shop's subscription).
	EndSubscription(ctx context.Context, shopID, id int64) (ended bool, err error)
	// UndoUnsubscribe restores the shop's subscriptions that Unsubscribe
	// ended less than UnsubscribeUndoWindow ago, and no later than
	// unsubscribedBy (the removal being undone: a later one is another,
	// UndoNotUndoable), each to the status it had then, with an
	// EventResubscribed event; the outcomes are in id order. Returns
	// ENOTFOUND, restoring nothing, when an id is not the shop's.
	UndoUnsubscribe(ctx context.Context, shopID int64, ids []int64, unsubscribedBy time.Time) ([]UndoOutcome, error)
	// UndoRemoval is UndoUnsubscribe for a removal that started at
	// removalStarted: a subscription unsubscribed before then (a one-click
	// unsubscribe between the page's reading and the removal) is another
	// removal's, UndoNotUndoable. The zero removalStarted sets no bound.
	UndoRemoval(ctx context.Context, shopID int64, ids []int64, removalStarted, unsubscribedBy time.Time) ([]UndoOutcome, error)
}
