package delivery

import (
	"context"
	"log/slog"

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
	Confirmations stockbell.ConfirmationService
	Clock         stockbell.Clock
	// Fallback sends the messages of a channel that is not configured (the
	// development sender, say); nil fails them.
	Fallback stockbell.Sender
	Logger   *slog.Logger
	// Metrics counts double opt-in requests and confirmations (nil: not counted).
	Metrics stockbell.ConfirmationMetrics
}

// Delivery is everything this package provides, wired: give Renderer and
// Sender to the message sender, Unsubscribes, Links, Confirmations and
// TwilioInbound to the web layer (which serves /unsubscribe/{token},
// /r/{code}, /confirm/{token} and Twilio's inbound messages), the
// confirmation job handler to the queue, and Close on shutdown.
type Delivery struct {
	Renderer      *Templates
	Sender        *ChannelSender
	SMTP          *SMTPSender // nil when email is not configured
	Unsubscribes  *Unsubscribes
	Links         *ShortLinks
	Confirmations *Confirmations
	// TwilioInbound verifies Twilio's inbound-message webhooks; nil when
	// SMS is not configured.
	TwilioInbound *TwilioInbound
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
		Unsubscribes: &Unsubscribes{Signer: signer, Subscriptions: deps.Subscriptions, Shops: deps.Shops, Catalog: deps.Catalog, Clock: deps.Clock},
		Links:        &ShortLinks{Signer: signer, Clicks: deps.Clicks},
	}
	d.Confirmations = &Confirmations{Store: deps.Confirmations, Sender: d.Sender, Links: NewLinks(cfg.PublicURL, signer),
		Clock: deps.Clock, Logger: deps.Logger, Metrics: deps.Metrics}
	if cfg.SMTP.Enabled() {
		if d.SMTP, err = NewSMTPSender(cfg.SMTP, cfg.PublicURL, deps.Clock); err != nil {
			return nil, err
		}
		d.Sender.Email = d.SMTP
	}
	if cfg.Twilio.Enabled() {
		d.Sender.SMS = NewTwilioSender(cfg.Twilio, nil)
		d.TwilioInbound = &TwilioInbound{AuthToken: cfg.Twilio.AuthToken, PublicURL: cfg.PublicURL}
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
