package stockbell

import "context"

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

// PrivacyService answers data requests and erasure requests.
type PrivacyService interface {
	// ContactData returns what is kept about the contact. Returns EINVALID
	// when the contact has neither email nor phone.
	ContactData(ctx context.Context, contact Contact) (*ContactData, error)
	// RedactContact erases the contact's personal data: subscriptions,
	// messages and events that name it. Returns EINVALID as ContactData.
	RedactContact(ctx context.Context, contact Contact) error
}
