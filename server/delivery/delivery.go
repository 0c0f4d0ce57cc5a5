package delivery

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.Sender = (*ChannelSender)(nil)

// ChannelSender routes each message to the sender of its channel. A
// channel without a sender fails the message permanently.
type ChannelSender struct {
	Email stockbell.Sender
	SMS   stockbell.Sender
}

// Send implements stockbell.Sender.
func (c *ChannelSender) Send(ctx context.Context, out stockbell.OutboundMessage) (stockbell.SendResult, error) {
	sender := c.Email
	if out.Channel == stockbell.ChannelSMS {
		sender = c.SMS
	} else if out.Channel != stockbell.ChannelEmail {
		return stockbell.SendResult{}, stockbell.FieldErrorf("channel", "Unknown channel %q.", out.Channel)
	}
	if sender == nil {
		return stockbell.SendResult{}, stockbell.FieldErrorf("channel", "No %s provider is configured.", out.Channel)
	}
	return sender.Send(ctx, out)
}

// Deps is what delivery needs from the rest of the server.
type Deps struct {
	// Key signs unsubscribe tokens and short link codes (MinKeyLength bytes
	// or more; derive it from the server's secret).
	Key []byte
	// PreviousKeys still verify links signed before a key rotation.
	PreviousKeys  [][]byte
	Subscriptions stockbell.SubscriptionService
	Shops         ShopFinder
	Catalog       VariantFinder
	Clicks        stockbell.ClickService
	Clock         stockbell.Clock
	// Fallback sends the messages of a channel that is not configured (the
	// development sender, say); nil fails them.
	Fallback stockbell.Sender
}

// Delivery is everything this package provides, wired: give Renderer and
// Sender to the message sender, Unsubscribes and Links to the web layer
// (which serves /unsubscribe/{token} and /r/{code}), and Close on shutdown.
type Delivery struct {
	Renderer     *Templates
	Sender       *ChannelSender
	SMTP         *SMTPSender // nil when email is not configured
	Unsubscribes *Unsubscribes
	Links        *ShortLinks
}

// New wires the senders, templates and handlers for cfg.
func New(cfg Config, deps Deps) (*Delivery, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	signer, err := NewSigner(deps.Key, deps.PreviousKeys...)
	if err != nil {
		return nil, err
	}
	d := &Delivery{
		Renderer:     NewTemplates(NewLinks(cfg.PublicURL, signer), cfg.Stop),
		Sender:       &ChannelSender{Email: deps.Fallback, SMS: deps.Fallback},
		Unsubscribes: &Unsubscribes{Signer: signer, Subscriptions: deps.Subscriptions, Shops: deps.Shops, Catalog: deps.Catalog},
		Links:        &ShortLinks{Signer: signer, Clicks: deps.Clicks},
	}
	if cfg.SMTP.Enabled() {
		if d.SMTP, err = NewSMTPSender(cfg.SMTP, cfg.PublicURL, deps.Clock); err != nil {
			return nil, err
		}
		d.Sender.Email = d.SMTP
	}
	if cfg.Twilio.Enabled() {
		d.Sender.SMS = NewTwilioSender(cfg.Twilio, nil)
	}
	return d, nil
}

// Close ends pooled SMTP sessions.
func (d *Delivery) Close() error {
	if d.SMTP == nil {
		return nil
	}
	return d.SMTP.Close()
}
