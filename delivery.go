package stockbell

import (
	"context"
	"time"
)

// LinkTarget is where a message's tracked link leads: the variant's page
// (or, failing that, its product's page, or the shop's home page), with
// the message it was sent in.
type LinkTarget struct {
	ShopID        int64   `db:"shop_id"`
	MessageID     int64   `db:"message_id"`
	Channel       Channel `db:"channel"`
	VariantURL    string  `db:"variant_url"`
	ProductURL    string  `db:"product_url"`
	ShopDomain    string  `db:"shop_domain"`
	PrimaryDomain string  `db:"primary_domain"`
}

// ClickFilter selects recorded clicks of one shop: ShopID is required (a
// filter without it is EINVALID, never "all shops"); other nil fields do
// not filter.
type ClickFilter struct {
	ShopID    *int64
	MessageID *int64
	Since     *time.Time
}

// ClickService records clicks on the tracked links of sent messages: the
// short /r/{code} links (every SMS), and the product page links of emails,
// counted where the shopper lands.
type ClickService interface {
	// RecordClick records one click, now, on the link of a message and
	// returns where the link leads. Returns ENOTFOUND when the message no
	// longer exists (erased with its subscription or shop).
	RecordClick(ctx context.Context, messageID int64) (*LinkTarget, error)
	// RecordLandingClick records one click, now, on the link of one of the
	// shop's messages, as RecordClick does, when the page the link led to
	// reports it (the storefront snippet on the product page, for an
	// email's link there), unless a click on that message was recorded in
	// the last within: a reload of the page, or the short link that
	// redirected the shopper to it, is one click. Returns whether it
	// recorded one; ENOTFOUND when the shop has no such message (another
	// shop's, or one erased).
	RecordLandingClick(ctx context.Context, shopID, messageID int64, within time.Duration) (bool, error)
	// FindLinkTarget returns where a message's link leads without
	// recording a click (a link preview). Returns ENOTFOUND as RecordClick.
	FindLinkTarget(ctx context.Context, messageID int64) (*LinkTarget, error)
	// CountClicks returns the number of recorded clicks matching the filter.
	CountClicks(ctx context.Context, filter ClickFilter) (int, error)
}

// ContactAlerts is one contact's alerts (subscriptions) at one shop, as an
// unsubscribe link shows them.
type ContactAlerts struct {
	// Language is the language to show them in: the subscriber's, among
	// those the messages speak.
	Language string
	Shop     string // the shop's name
	// Contact is the email address, or the phone number when there is none.
	Contact string
	// Alerts are oldest first.
	Alerts []ContactAlert
	// Active counts the alerts that may still send something.
	Active int
}

// ContactAlert is one of a contact's subscriptions.
type ContactAlert struct {
	SubscriptionID int64
	// ProductID is the variant's product (0 when the variant is gone): what
	// tells the page whether another alert is for the same product.
	ProductID int64
	Product   string
	Variant   string
	Active    bool
	// SignedUpAt is when the shopper signed up: what tells apart two
	// alerts for the same variant (alerted, then signed up again).
	SignedUpAt time.Time
}
