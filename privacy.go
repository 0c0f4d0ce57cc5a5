package stockbell

import (
	"context"
	"encoding/json"
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
}

// MarshalJSON writes the data with each subscription's consent IP, which a
// subscription's own JSON leaves out: a data request reports all that is
// kept about the contact. The contact is written as reportedContact.
func (d ContactData) MarshalJSON() ([]byte, error) {
	type plain ContactData
	subscriptions := make([]reportedSubscription, len(d.Subscriptions))
	for i, s := range d.Subscriptions {
		subscriptions[i] = reportedSubscription{Subscription: s, ConsentIP: s.ConsentIP}
	}
	return json.Marshal(struct {
		Contact reportedContact `json:"contact"`
		plain
		Subscriptions []reportedSubscription `json:"subscriptions"`
	}{newReportedContact(d.Contact), plain(d), subscriptions})
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
