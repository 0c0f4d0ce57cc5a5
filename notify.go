package stockbell

import "context"

// MessageContent is everything a message template may show: the shop, the
// variant with its product, the subscriber, the flow step and the message
// row being sent.
type MessageContent struct {
	Shop         *Shop
	Variant      *VariantWithProduct
	Subscription *Subscription
	Message      *Message
	Step         FlowStep
}

// Renderer turns a message into the text a Sender delivers (subject, text
// and HTML bodies, headers such as List-Unsubscribe).
type Renderer interface {
	Render(ctx context.Context, content MessageContent) (OutboundMessage, error)
}
