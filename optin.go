package stockbell

import (
	"context"
	"strings"
	"time"
)

// SubscriptionPending is the status of a subscription whose every channel
// waits for the shopper's confirmation (double opt-in): it is not in the
// queue, so a restock neither notifies it nor counts it in a batch, until
// a channel is confirmed and it becomes queued.
const SubscriptionPending SubscriptionStatus = "pending"

// smsDoubleOptInRegions are the countries (ISO 3166 regions of the phone
// number) where a text-message subscription is confirmed by double opt-in
// before anything else is sent, and why. Elsewhere the consent ticked on
// the form (kept with its text, time and address) is what the law asks.
var smsDoubleOptInRegions = map[string]string{
	// North America: the carriers' rules (CTIA Messaging Principles, which
	// 10DLC and toll-free registration enforce) expect an opt-in
	// confirmation message, and the TCPA puts the proof of consent on the
	// sender. US territories share the US carriers.
	"US": "CTIA/TCPA", "CA": "CTIA/CASL", "PR": "CTIA/TCPA", "VI": "CTIA/TCPA", "GU": "CTIA/TCPA",
	"AS": "CTIA/TCPA", "MP": "CTIA/TCPA",
	// German-speaking countries: courts require proof that the number's
	// owner consented (UWG §7 and its case law), which in practice means a
	// confirmed double opt-in.
	"DE": "UWG §7", "AT": "TKG §174", "CH": "UWG Art. 3", "LI": "UWG",
}

// SMSDoubleOptIn reports whether text messages to a phone number of that
// region (ISO 3166, "US") need the shopper's confirmation first.
func SMSDoubleOptIn(region string) bool {
	_, ok := smsDoubleOptInRegions[strings.ToUpper(region)]
	return ok
}

// ChannelsToConfirm returns the channels of a new subscription that wait
// for the shopper's confirmation: SMS when the phone number's region
// requires double opt-in, email when the shop turned email double opt-in
// on. It is a pure function of the request: the store calls it as it
// inserts the subscription.
func ChannelsToConfirm(channels Channels, phoneRegion string, emailDoubleOptIn bool) Channels {
	var awaiting Channels
	for _, ch := range channels {
		if (ch == ChannelSMS && SMSDoubleOptIn(phoneRegion)) || (ch == ChannelEmail && emailDoubleOptIn) {
			awaiting = append(awaiting, ch)
		}
	}
	return awaiting
}

// InitialStatus is the status of a new subscription with these channels
// awaiting confirmation: pending when every channel waits, else queued
// (a confirmed channel is notified; a waiting one is left out).
func InitialStatus(channels, awaiting Channels) SubscriptionStatus {
	if len(awaiting) > 0 && len(awaiting) >= len(channels) {
		return SubscriptionPending
	}
	return SubscriptionQueued
}

// Confirmed returns the subscription's channels that may be messaged now:
// those not awaiting confirmation.
func (s *Subscription) Confirmed() Channels {
	var confirmed Channels
	for _, ch := range s.Channels {
		if !s.Awaiting.Has(ch) {
			confirmed = append(confirmed, ch)
		}
	}
	return confirmed
}

// AwaitsConfirmation reports whether the subscription still waits for the
// shopper to confirm the channel: it is queued or pending, and the channel
// is among those it awaits.
func (s *Subscription) AwaitsConfirmation(ch Channel) bool {
	waiting := s.Status == SubscriptionQueued || s.Status == SubscriptionPending
	return waiting && s.Awaiting.Has(ch)
}

// ConfirmationClosure is why a confirmation can no longer be given, or
// ConfirmationOpen while it can.
type ConfirmationClosure string

// Why a confirmation can no longer be given.
const (
	ConfirmationOpen ConfirmationClosure = ""
	// ClosedRemoved: the merchant removed the subscription (cancelled).
	ClosedRemoved ConfirmationClosure = "removed"
	// ClosedUnsubscribed: the shopper unsubscribed (a STOP reply to a
	// subscription by text alone, or an unsubscribe link).
	ClosedUnsubscribed ConfirmationClosure = "unsubscribed"
	// ClosedShopUninstalled: the shop uninstalled the app; nothing is sent
	// on its behalf.
	ClosedShopUninstalled ConfirmationClosure = "shop_uninstalled"
	// ClosedChannelLeft: the channel was taken off a subscription that
	// goes on by its other one (a STOP reply).
	ClosedChannelLeft ConfirmationClosure = "channel_left"
	// ClosedNotWaiting: the subscription left the queue otherwise: it was
	// notified, is held in a batch for the merchant's approval, or its
	// batch was discarded.
	ClosedNotWaiting ConfirmationClosure = "not_waiting"
)

// ConfirmationClosed says why the subscription's channel can no longer be
// confirmed, at shop, or ConfirmationOpen when it still awaits its
// confirmation. The store refuses a confirmation that is not open, the
// confirmation request is sent only while it is, and the link's page says
// which.
func ConfirmationClosed(sub *Subscription, shop *Shop, ch Channel) ConfirmationClosure {
	switch {
	case sub.Status == SubscriptionCancelled:
		return ClosedRemoved
	case sub.Status == SubscriptionUnsubscribed:
		return ClosedUnsubscribed
	case !shop.Active():
		return ClosedShopUninstalled
	case sub.AwaitsConfirmation(ch):
		return ConfirmationOpen
	case !sub.Channels.Has(ch):
		return ClosedChannelLeft
	}
	return ClosedNotWaiting
}

// ConfirmationLinkValidity is how long a confirmation link, or a reply to
// a confirmation text, is accepted after the request was sent.
const ConfirmationLinkValidity = 7 * 24 * time.Hour

// ConfirmationMethod is how a shopper confirmed a channel.
type ConfirmationMethod string

// Confirmation methods.
const (
	ConfirmedByLink  ConfirmationMethod = "link"  // the button on the confirmation link's page
	ConfirmedByReply ConfirmationMethod = "reply" // a YES reply to the confirmation text
)

// Confirmation is the confirmation asked of one channel of a subscription:
// the consent record of a double opt-in.
type Confirmation struct {
	ID             int64   `db:"id" json:"id"`
	ShopID         int64   `db:"shop_id" json:"shop_id"`
	SubscriptionID int64   `db:"subscription_id" json:"subscription_id"`
	Channel        Channel `db:"channel" json:"channel"`
	Recipient      string  `db:"recipient" json:"recipient"`
	// ConsentText is the request the shopper confirmed, as sent (without its link).
	ConsentText string             `db:"consent_text" json:"consent_text"`
	RequestedAt time.Time          `db:"requested_at" json:"requested_at"`
	SentAt      *time.Time         `db:"sent_at" json:"sent_at,omitempty"`
	ConfirmedAt *time.Time         `db:"confirmed_at" json:"confirmed_at,omitempty"`
	Method      ConfirmationMethod `db:"method" json:"method,omitempty"`
	// FailedAt is when its request could not be sent, for good (the
	// provider refused it, or the send job's last attempt failed), and
	// Failure why, in the provider's words (at most MaxConfirmationFailure
	// characters); both are cleared when it is queued to be sent again.
	FailedAt *time.Time `db:"failed_at" json:"failed_at,omitempty"`
	Failure  string     `db:"failure" json:"failure,omitempty"`
}

// MaxConfirmationFailure is how many characters of the reason a
// confirmation request could not be sent are kept: enough for a provider's
// error and its code, not a whole answer.
const MaxConfirmationFailure = 300

// ConfirmationMaxAttempts is how many times the queue runs a
// send_confirmation job whose provider fails for now, with its backoff
// between; on the last, the request is recorded as not sent
// (Confirmation.FailedAt), since nothing would send it afterwards.
const ConfirmationMaxAttempts = 10

// Expired reports whether the confirmation can no longer be given at now:
// its request was sent longer than ConfirmationLinkValidity ago.
func (c *Confirmation) Expired(now time.Time) bool {
	return c.SentAt != nil && now.Sub(*c.SentAt) > ConfirmationLinkValidity
}

// ConfirmationRequest is a confirmation with what its message needs.
type ConfirmationRequest struct {
	Confirmation Confirmation
	Subscription Subscription
	Shop         Shop
	Variant      VariantWithProduct
}

// SendConfirmationJob sends the confirmation request of one channel of a
// new subscription. The store inserts it in the subscription's transaction.
type SendConfirmationJob struct {
	ShopID         int64 `json:"shop_id"`
	ConfirmationID int64 `json:"confirmation_id"`
}

// Kind implements JobArgs.
func (SendConfirmationJob) Kind() string { return "send_confirmation" }

// ConfirmationService keeps the double opt-in records.
type ConfirmationService interface {
	// FindConfirmationRequest returns a confirmation of the shop with its
	// subscription, shop and variant. Returns ENOTFOUND.
	FindConfirmationRequest(ctx context.Context, shopID, id int64) (*ConfirmationRequest, error)
	// MarkConfirmationSent records that the request left with that text.
	// Returns ENOTFOUND for a confirmation of another shop.
	MarkConfirmationSent(ctx context.Context, shopID, id int64, consentText string) error
	// MarkConfirmationFailed records that the request could not be sent,
	// for good, and why (cut to MaxConfirmationFailure characters).
	// Returns ENOTFOUND for a confirmation of another shop.
	MarkConfirmationFailed(ctx context.Context, shopID, id int64, reason string) error
	// Confirm records the shopper's confirmation of the channel and puts the
	// subscription in the queue (if it still waits); confirming twice
	// changes nothing. Returns ECONFLICT for a confirmation that can no
	// longer be given (ConfirmationClosed says why: the merchant removed
	// the subscription, the shopper unsubscribed or took the channel off,
	// it left the queue, or the shop uninstalled the app), ENOTFOUND for a
	// confirmation of another shop or of a subscription erased.
	Confirm(ctx context.Context, shopID, id int64, method ConfirmationMethod) (*Confirmation, error)
	// ConfirmReply confirms every open SMS confirmation sent to a phone
	// number (E.164) within ConfirmationLinkValidity, as a YES reply does,
	// and returns how many it confirmed.
	ConfirmReply(ctx context.Context, phone string) (int, error)
	// StopSMS takes a phone number (E.164) that replied STOP off every
	// subscription that may still text it (queued, pending, held or
	// notified): one by SMS alone is unsubscribed, one with email too keeps
	// only its email; their texts not yet sent are skipped at once (an
	// alert of one keeping a confirmed email goes by email instead). It
	// returns how many changed.
	StopSMS(ctx context.Context, phone string) (int, error)
}

// ConfirmationPage is what the page behind a confirmation link shows.
type ConfirmationPage struct {
	Language string // the subscriber's page language: en, fr, de or es
	Shop     string
	Product  string
	Channel  Channel
	Contact  string // the email address or phone number to confirm
	// ConsentText is the request the shopper is confirming, as it was sent.
	ConsentText string
	Confirmed   bool
	// InStock says the variant can be bought now (Variant.Purchasable):
	// the alert confirmed then waits for no restock.
	InStock bool
	// Closed says why the channel can no longer be confirmed (see
	// ConfirmationClosed); confirming it does nothing. A channel confirmed
	// already is closed only when its subscription was removed, or
	// unsubscribed, or its channel left, or its shop uninstalled the app.
	Closed ConfirmationClosure
}
