package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"regexp"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.Sender = (*DevSender)(nil)

// DevSender is the development Sender: it delivers nothing and writes each
// message to the log instead, with its signed links redacted (an
// unsubscribe token in a log would let whoever reads the log unsubscribe
// the shopper), and, when Outbox is set, keeps the rendered message there
// for the admin's outbox page (development only, where it is the record of
// what was "sent").
type DevSender struct {
	Logger *slog.Logger
	// Outbox keeps what was "sent" (optional).
	Outbox OutboxRecorder
}

// OutboxRecorder keeps a message the development sender sent.
type OutboxRecorder interface {
	RecordOutboxMessage(ctx context.Context, m *stockbell.OutboxMessage) error
}

// Send logs the message and returns a provider id "dev-" plus 16 random hex digits.
func (s *DevSender) Send(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error) {
	if msg.To == "" {
		return stockbell.SendResult{}, stockbell.FieldErrorf("to", "message %d has no recipient", msg.MessageID)
	}
	b := make([]byte, 8)
	rand.Read(b)
	id := "dev-" + hex.EncodeToString(b)
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.InfoContext(ctx, "development sender: message not delivered", "provider_id", id, "message_id", msg.MessageID,
		"channel", msg.Channel, "to", msg.To, "subject", msg.Subject, "text", RedactLinks(msg.Text))
	segments := 0
	if msg.Channel == stockbell.ChannelSMS {
		segments = devSegments(msg.Text)
	}
	if err := s.keep(ctx, msg, id); err != nil {
		return stockbell.SendResult{}, err
	}
	return stockbell.SendResult{ProviderID: id, Segments: segments}, nil
}

// keep stores the message in the outbox, when there is one. A message
// without its shop (sent outside any shop), or whose shop was erased
// while it was sent (ENOTFOUND), is only logged: a real sender sends it.
func (s *DevSender) keep(ctx context.Context, msg stockbell.OutboundMessage, id string) error {
	if s.Outbox == nil || msg.ShopID == 0 {
		return nil
	}
	kept := &stockbell.OutboxMessage{ShopID: msg.ShopID, Channel: msg.Channel, Recipient: msg.To, FromName: msg.FromName,
		Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, ProviderID: id, Test: msg.Test}
	if msg.MessageID != 0 {
		kept.MessageID = &msg.MessageID
	}
	if err := s.Outbox.RecordOutboxMessage(ctx, kept); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return err
	}
	return nil
}

// devSegments estimates SMS segments: 160 characters (153 when split) for
// plain ASCII text, 70 (67) otherwise.
func devSegments(text string) int {
	single, multi, n := 160, 153, 0
	for _, r := range text {
		n++
		if r > 0x7e {
			single, multi = 70, 67
		}
	}
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

// signedLink matches the token of an unsubscribe link and the code of a
// short link.
var signedLink = regexp.MustCompile(`(/unsubscribe/|/confirm/|/r/|sb_click=)[A-Za-z0-9_-]+`)

// RedactLinks replaces the tokens of unsubscribe, confirmation and short links in text
// with "[redacted]".
func RedactLinks(text string) string {
	return signedLink.ReplaceAllString(text, "${1}[redacted]")
}
