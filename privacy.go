package stockbell

import (
	"context"
	"encoding/json"
	"time"
)

// Contact names a shopper by email and/or phone (normalised), within one shop.
type Contact struct {
	ShopID int64
	Email  string
	Phone  string
}

// ContactData is everything Stockbell keeps about one contact in one shop,
// produced for a platform's data request.
type ContactData struct {
	Contact       Contact         `json:"contact"`
	Subscriptions []*Subscription `json:"subscriptions"`
	Messages      []*Message      `json:"messages"`
	Events        []*Event        `json:"events"`
	// Confirmations are the double opt-in requests sent to the contact,
	// with the consent text and when and how the contact confirmed.
	Confirmations []*Confirmation `json:"confirmations"`
	// StoredTexts are the texts kept as received or recorded that name
	// the contact: platform webhooks' payloads and processing errors,
	// outbound webhooks' payloads, and the errors the job queue recorded
	// for the shop's jobs. Written last, after the fields answers carried
	// before.
	StoredTexts []*StoredText `json:"stored_texts"`
}

// StoredText is one text Stockbell keeps that names a contact, as the
// erasure finds it: a platform webhook receipt's payload or last
// processing error, the payload of an outbound webhook delivery the job
// queue holds, or a string of the error it recorded for one attempt of a
// job. Text is the text as stored, up to
// MaxStoredTextBytes: a longer one is given as the passages around each
// mention of the contact (Truncated), and StoredBytes says how long it is.
type StoredText struct {
	// Source is what keeps the text: "webhook_receipt" or "job".
	Source string `json:"source"`
	// ID is the receipt's or the job's id.
	ID int64 `json:"id"`
	// Platform and Topic say which webhook a receipt is.
	Platform Platform `json:"platform,omitempty"`
	Topic    string   `json:"topic,omitempty"`
	// JobKind and Attempt say which job, and which of its attempts, failed.
	JobKind string `json:"job_kind,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
	// Field is which of the record's texts this is: a receipt's "payload"
	// or "last_error", a delivery's "payload", an attempt's "error" or
	// "trace".
	Field string `json:"field"`
	// At is when a receipt was received, when a delivery was queued, or
	// when a job's attempt failed.
	At          time.Time `json:"at"`
	Text        string    `json:"text"`
	Truncated   bool      `json:"truncated"`
	StoredBytes int       `json:"stored_bytes"`
}

// MaxStoredTextBytes bounds each StoredText's Text. A webhook payload
// can be up to a megabyte (an order with many lines), and a shopper can
// be named in hundreds: given whole, an answer could run to hundreds of
// megabytes, built in memory. A customer's own payloads and the errors
// that name one are far shorter, and are given whole.
const MaxStoredTextBytes = 32 << 10

// MarshalJSON writes the data with each subscription's consent IP, which a
// subscription's own JSON leaves out: a data request reports all that is
// kept about the contact. The contact is written as reportedContact, and
// the stored texts last, as a list even when there are none.
func (d ContactData) MarshalJSON() ([]byte, error) {
	type plain ContactData
	subscriptions := make([]reportedSubscription, len(d.Subscriptions))
	for i, s := range d.Subscriptions {
		subscriptions[i] = reportedSubscription{Subscription: s, ConsentIP: s.ConsentIP}
	}
	storedTexts := d.StoredTexts
	if storedTexts == nil {
		storedTexts = []*StoredText{}
	}
	return json.Marshal(struct {
		Contact reportedContact `json:"contact"`
		plain
		Subscriptions []reportedSubscription `json:"subscriptions"`
		StoredTexts   []*StoredText          `json:"stored_texts"`
	}{newReportedContact(d.Contact), plain(d), subscriptions, storedTexts})
}

// reportedContact is the contact as a data request reports it: shop_id,
// email and phone, snake_case as the rest of the answer is, then the same
// values under the Go field names (ShopID, Email, Phone) that answers
// carried before, kept for whoever reads those.
type reportedContact struct {
	ShopID int64  `json:"shop_id"`
	Email  string `json:"email"`
	Phone  string `json:"phone"`
	// The names answers carried first; shop_id, email and phone replace them.
	GoShopID int64  `json:"ShopID"`
	GoEmail  string `json:"Email"`
	GoPhone  string `json:"Phone"`
}

func newReportedContact(c Contact) reportedContact {
	return reportedContact{ShopID: c.ShopID, Email: c.Email, Phone: c.Phone, GoShopID: c.ShopID, GoEmail: c.Email, GoPhone: c.Phone}
}

// reportedSubscription is a subscription as a data request reports it.
type reportedSubscription struct {
	*Subscription
	ConsentIP string `json:"consent_ip,omitempty"`
}

// PrivacyService answers data requests and erasure requests.
type PrivacyService interface {
	// ContactData returns what is kept about the contact. Returns EINVALID
	// when the contact has neither email nor phone.
	ContactData(ctx context.Context, contact Contact) (*ContactData, error)
	// RedactContact erases the contact's personal data: subscriptions,
	// messages and events that name it. Returns EINVALID as ContactData.
	RedactContact(ctx context.Context, contact Contact) error
}
