package restock

import (
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// quietUntil returns when a text inside its recipient's quiet hours may
// be sent (stockbell.RestockSettings.QuietUntil), or the zero time for a
// message that may go now: an email, or a text outside quiet hours.
// Confirmation texts do not pass here: they answer the shopper's own
// request, just made, and go at once.
func quietUntil(d *stockbell.MessageDelivery, now time.Time) time.Time {
	if d.Message.Channel != stockbell.ChannelSMS {
		return time.Time{}
	}
	return d.Settings.QuietUntil(now, contact.TimeZones(d.Message.Recipient))
}

// holdForQuietHours tells whether a message is a text inside its
// recipient's quiet hours, and if so puts the run off until they end: a
// snooze, not an attempt, the message left pending and unleased.
func (r *sendRun) holdForQuietHours(d *stockbell.MessageDelivery, now time.Time) bool {
	until := quietUntil(d, now)
	if until.IsZero() {
		return false
	}
	r.metrics().MessageHeldForQuietHours(d.Message.Channel)
	if r.quietUntil.IsZero() || until.Before(r.quietUntil) {
		r.quietUntil = until
	}
	return true
}
