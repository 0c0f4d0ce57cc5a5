package stockbell

import (
	"context"
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
}

// FlowService reads and changes a shop's flow.
type FlowService interface {
	// FindFlow returns the shop's flow. Returns ENOTFOUND for an unknown shop.
	FindFlow(ctx context.Context, shopID int64) (*Flow, error)
	// UpdateFlow replaces the flow after validating it; returns EINVALID
	// naming the field on a bad flow.
	UpdateFlow(ctx context.Context, flow *Flow) error
}
