package stockbell

import (
	"context"
	"strings"
	"time"
)

// FlowStatus says what a back-in-stock flow does with restocked subscribers.
type FlowStatus string

// Flow statuses.
const (
	// FlowLive sends messages.
	FlowLive FlowStatus = "live"
	// FlowManual queues messages for the merchant to approve or discard.
	FlowManual FlowStatus = "manual"
	// FlowDraft keeps subscriptions but queues nobody to the back-in-stock delay.
	FlowDraft FlowStatus = "draft"
)

// Notifies reports whether a flow in this status takes restocked
// subscribers out of the queue and sends them its steps: live and manual
// flows do (a manual one holds each message for the merchant's approval);
// a draft keeps everyone queued and sends nothing. The restock engine's
// decisions and the store's claims and follow-up steps all ask it.
func (s FlowStatus) Notifies() bool { return s != FlowDraft }

// Flow is a shop's back-in-stock flow: the trigger "Subscribed to Back in
// Stock", the back-in-stock delay (the restock rules), then one to three
// message steps.
type Flow struct {
	ShopID    int64      `json:"shop_id"`
	Status    FlowStatus `json:"status"`
	Template  string     `json:"template"` // the library template it started from
	Steps     []FlowStep `json:"steps"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Flow limits.
const (
	MinFlowSteps = 1
	MaxFlowSteps = 3
)

// FlowStep is one message of a flow.
type FlowStep struct {
	Channel Channel `json:"channel"`
	// Delay is the time after the previous step (or the restock, for the first).
	Delay time.Duration `json:"delay"`
	// SkipIfOutOfStock skips the message when the variant sold out again.
	SkipIfOutOfStock bool `json:"skip_if_out_of_stock"`
	// SmartSendingHours skips a contact messaged within that many hours; 0 is off
	// (the default for back-in-stock messages: everyone gets the alert).
	SmartSendingHours int    `json:"smart_sending_hours"`
	Subject           string `json:"subject,omitempty"`
	Preheader         string `json:"preheader,omitempty"`
	// Body is the template text; empty selects the default template for the locale.
	Body string `json:"body,omitempty"`
	HTML string `json:"html,omitempty"`
	// Translations are the merchant's own texts for subscribers of one
	// language (a two- or three-letter code such as "fr"); an empty field
	// of a translation falls back to the step's own.
	Translations map[string]StepText `json:"translations,omitempty"`
}

// StepText is a step's texts in one language.
type StepText struct {
	Subject   string `json:"subject,omitempty"`
	Preheader string `json:"preheader,omitempty"`
	Body      string `json:"body,omitempty"`
	HTML      string `json:"html,omitempty"`
}

// Localized returns the step with the texts of the locale's language (as
// in "fr" of "fr-CA") in place of its own, where it has them.
func (s FlowStep) Localized(locale string) FlowStep {
	lang := strings.ToLower(locale)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	t, ok := s.Translations[lang]
	if !ok {
		return s
	}
	for _, f := range []struct{ from, to *string }{{&t.Subject, &s.Subject}, {&t.Preheader, &s.Preheader}, {&t.Body, &s.Body}, {&t.HTML, &s.HTML}} {
		if *f.from != "" {
			*f.to = *f.from
		}
	}
	return s
}

// FlowService reads and changes a shop's flow.
type FlowService interface {
	// FindFlow returns the shop's flow. Returns ENOTFOUND for an unknown shop.
	FindFlow(ctx context.Context, shopID int64) (*Flow, error)
	// UpdateFlow replaces the flow after validating it and sets its
	// UpdatedAt to the change time stored, as FindFlow reads it next and
	// later than the flow's previous one; returns EINVALID naming the
	// field on a bad flow.
	UpdateFlow(ctx context.Context, flow *Flow) error
	// UpdateFlowIfUnchanged replaces the flow as UpdateFlow does, only if
	// the stored flow is still the one whose UpdatedAt was seen (zero for
	// a flow never stored); returns ECONFLICT, storing nothing, if it was
	// changed since.
	UpdateFlowIfUnchanged(ctx context.Context, flow *Flow, seen time.Time) error
}

// StepMessage is the message one flow step makes for one subscriber.
type StepMessage struct {
	Channel   Channel
	Recipient string
	// Status is pending, held (the flow is manual) or skipped (no contact
	// for the step; Reason says so).
	Status MessageStatus
	Reason SkipReason
	DueAt  time.Time
}

// StepMessage applies the flow-step policy to step (1-based) of the flow
// for a subscriber, due the step's delay after base. A step goes out on its
// own channel when the subscriber left that contact; the first step, the
// alert itself, falls back to the subscriber's other channel so that
// everyone notified hears of the restock; a later step without its contact
// is skipped. A manual flow holds each message for the merchant.
func (f *Flow) StepMessage(step int, sub *Subscription, base time.Time) StepMessage {
	def := f.Steps[step-1]
	m := StepMessage{Channel: def.Channel, Recipient: sub.Contact(def.Channel), Status: MessagePending, DueAt: base.Add(def.Delay)}
	if f.Status == FlowManual {
		m.Status = MessageHeld
	}
	if m.Recipient == "" && step == 1 {
		for _, ch := range sub.Channels {
			if contact := sub.Contact(ch); contact != "" {
				m.Channel, m.Recipient = ch, contact
				break
			}
		}
	}
	if m.Recipient == "" {
		m.Status, m.Reason = MessageSkipped, SkipNoContact
	}
	return m
}
