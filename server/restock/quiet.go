package restock

import (
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// QuietUntil returns when a message inside its recipient's quiet hours
// may be sent (stockbell.RestockSettings.QuietUntil, in the time zones the
// recipient's number tells: contact.TimeZones), or the zero time for a
// message that may go now: an email, or a text outside quiet hours. It is
// the one rule the send run holds texts by, and what the admin and the API
// show of a held text. Confirmation texts do not pass here: they answer
// the shopper's own request, just made, and go at once.
func QuietUntil(settings *stockbell.RestockSettings, m *stockbell.Message, now time.Time) time.Time {
	if m.Channel != stockbell.ChannelSMS {
		return time.Time{}
	}
	return settings.QuietUntil(now, contact.TimeZones(m.Recipient))
}

// HeldForQuietHoursUntil returns until when a message is held for its
// recipient's quiet hours at now: a pending text, due, inside them (a
// send run finding it leaves it pending until then); or the zero time for
// any other message, one due later among them.
func HeldForQuietHoursUntil(settings *stockbell.RestockSettings, m *stockbell.Message, now time.Time) time.Time {
	if m.Status != stockbell.MessagePending || m.DueAt.After(now) {
		return time.Time{}
	}
	return QuietUntil(settings, m, now)
}

// holdForQuietHours tells whether a message is a text inside its
// recipient's quiet hours, and if so puts the run off until they end: a
// snooze, not an attempt, the message left pending and unleased.
func (r *sendRun) holdForQuietHours(d *stockbell.MessageDelivery, now time.Time) bool {
	until := QuietUntil(&d.Settings, &d.Message, now)
	if until.IsZero() {
		return false
	}
	r.metrics().MessageHeldForQuietHours(d.Message.Channel)
	if r.quietUntil.IsZero() || until.Before(r.quietUntil) {
		r.quietUntil = until
	}
	return true
}
