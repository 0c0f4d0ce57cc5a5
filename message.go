package stockbell

import (
	"context"
	"errors"
	"time"
)

// MessageStatus is where an outbound message is.
type MessageStatus string

// Message statuses.
const (
	MessagePending MessageStatus = "pending" // decided, not yet sent
	MessageSent    MessageStatus = "sent"
	MessageFailed  MessageStatus = "failed"  // permanently: never retried
	MessageSkipped MessageStatus = "skipped" // a rule said not to send (see Error)
	MessageHeld    MessageStatus = "held"    // manual flow: waiting for the merchant
)

// Message is one email or SMS to one subscriber for one flow step. A message
// row is unique per subscription and step: that is what makes sending exactly
// once possible.
type Message struct {
	ID             int64         `db:"id" json:"id"`
	ShopID         int64         `db:"shop_id" json:"shop_id"`
	SubscriptionID int64         `db:"subscription_id" json:"subscription_id"`
	Step           int           `db:"step" json:"step"`
	Channel        Channel       `db:"channel" json:"channel"`
	Recipient      string        `db:"recipient" json:"recipient"`
	Status         MessageStatus `db:"status" json:"status"`
	Attempts       int           `db:"attempts" json:"attempts"`
	ProviderID     string        `db:"provider_id" json:"provider_id,omitempty"`
	Error          string        `db:"error" json:"error,omitempty"`
	Segments       int           `db:"segments" json:"segments,omitempty"`
	DueAt          time.Time     `db:"due_at" json:"due_at"`
	CreatedAt      time.Time     `db:"created_at" json:"created_at"`
	SentAt         *time.Time    `db:"sent_at" json:"sent_at,omitempty"`
}

// OutboundMessage is a rendered message ready for a Sender.
type OutboundMessage struct {
	MessageID int64
	// ShopID is the shop the message is sent for.
	ShopID    int64
	Channel   Channel
	To        string // email address or E.164 phone number
	FromName  string
	Subject   string
	Preheader string
	Text      string
	HTML      string // email only
	// Headers are extra email headers (List-Unsubscribe, ...).
	Headers map[string]string
	// Reference, when set, names the email in its Message-ID instead of
	// MessageID: mail that is not a flow message (a scheduled report).
	Reference string
	// Attachments are files attached to an email.
	Attachments []Attachment
	// Test is true for a test of a flow message, sent from the admin.
	Test bool
}

// Attachment is a file attached to an email.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// SendResult is what a provider said about an accepted message.
type SendResult struct {
	ProviderID string
	Segments   int // SMS segments counted
}

// ErrOutcomeUnknown marks a send error that came after the message was
// handed to the provider (the connection dropped or timed out while its
// answer was awaited): the provider may have accepted it. Senders wrap it
// (%w) into such errors; the retry then counts as a possible repeat.
var ErrOutcomeUnknown = errors.New("the provider may have accepted the message")

// Sender delivers one message over one channel. It returns an *Error with
// code EINVALID for a permanent failure (the recipient was rejected, the
// number is invalid): such messages are marked failed and never retried. Any
// other error is transient and retried with backoff; one that wraps
// ErrOutcomeUnknown is retried as a possible repeat.
type Sender interface {
	Send(ctx context.Context, msg OutboundMessage) (SendResult, error)
}

// A job that a provider accepted a message for records that it was sent
// up to RecordSentTries times, pausing RecordSentPause times the try's
// number before each try after the first: enough to ride out a dropped
// connection or a database failing over (about 0.6 s in all), short beside
// a job's timeout. A record given up on sends the message again when the
// job is retried.
const (
	RecordSentTries = 3
	RecordSentPause = 200 * time.Millisecond
)

// RecordSent runs record, a store write of a message's sent outcome, until
// it succeeds or RecordSentTries tries failed, and returns its last error.
func RecordSent(record func() error) error {
	var err error
	for try := range RecordSentTries {
		time.Sleep(time.Duration(try) * RecordSentPause)
		if err = record(); err == nil {
			return nil
		}
	}
	return err
}

// MessageFilter selects messages of one shop: ShopID is required (a
// filter without it is EINVALID, never "all shops"); other nil fields do
// not filter.
type MessageFilter struct {
	ShopID         *int64
	SubscriptionID *int64
	// SubscriptionIDs, when not nil, selects the messages of these
	// subscriptions (a page of them read at once); empty, it matches none.
	SubscriptionIDs []int64
	Channel         *Channel
	Status          *MessageStatus
	Offset          int
	Limit           int
}

// MessageService reads the message log.
type MessageService interface {
	// FindMessages returns matching messages, newest first, and the total count.
	FindMessages(ctx context.Context, filter MessageFilter) ([]*Message, int, error)
}
