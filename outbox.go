package stockbell

import (
	"context"
	"time"
)

// OutboxMessage is a message the development sender "sent": it delivers
// nothing and keeps the rendered message instead, so that a developer can
// read it in the admin's outbox as the recipient would have.
type OutboxMessage struct {
	ID     int64 `db:"id" json:"id"`
	ShopID int64 `db:"shop_id" json:"shop_id"`
	// MessageID is the flow message it was, nil for any other mail (a
	// test, an invitation, a confirmation request, a scheduled report).
	MessageID *int64 `db:"message_id" json:"message_id,omitempty"`
	// Test is true for a test sent from the Flow page.
	Test       bool      `db:"test" json:"test"`
	Channel    Channel   `db:"channel" json:"channel"`
	Recipient  string    `db:"recipient" json:"recipient"`
	FromName   string    `db:"from_name" json:"from_name"`
	Subject    string    `db:"subject" json:"subject"`
	Text       string    `db:"text_body" json:"text"`
	HTML       string    `db:"html_body" json:"html,omitempty"`
	ProviderID string    `db:"provider_id" json:"provider_id"`
	SentAt     time.Time `db:"sent_at" json:"sent_at"`
}

// OutboxFilter selects outbox messages of one shop: ShopID is required (a
// filter without it is EINVALID, never "all shops"); other nil fields do
// not filter.
type OutboxFilter struct {
	ID     *int64
	ShopID *int64
	Offset int
	Limit  int
}

// OutboxService keeps what the development sender sent.
type OutboxService interface {
	// RecordOutboxMessage stores a sent message and sets its ID and SentAt.
	RecordOutboxMessage(ctx context.Context, m *OutboxMessage) error
	// FindOutboxMessages returns matching messages, newest first, and the total count.
	FindOutboxMessages(ctx context.Context, filter OutboxFilter) ([]*OutboxMessage, int, error)
}
