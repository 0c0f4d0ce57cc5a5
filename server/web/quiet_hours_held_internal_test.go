package web

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestQuietHoldWords: a held text is said held until a time on the
// shop's clock, "your time", with the recipient's beside it only when
// their number tells one zone whose clock differs; the day is named when
// it is not today on that clock.
func TestQuietHoldWords(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		name, zone, recipient string
		now, until            time.Time
		want                  string
	}{
		{"a Paris number, a New York shop, before midnight in Paris", "America/New_York", "+33612345678", at(7, 22), at(8, 8),
			"Held for quiet hours until 09:00 tomorrow the recipient's time (03:00 tomorrow your time)"},
		{"a Paris number, a New York shop, after midnight in Paris", "America/New_York", "+33612345678", at(8, 1), at(8, 8),
			"Held for quiet hours until 09:00 the recipient's time (03:00 tomorrow your time)"},
		{"a Paris number, a Paris shop", "Europe/Paris", "+33612345678", at(7, 22), at(8, 8),
			"Held for quiet hours until 09:00 tomorrow your time"},
		{"a Paris number, a shop in another zone on the same clock", "Europe/Berlin", "+33612345678", at(8, 1), at(8, 8),
			"Held for quiet hours until 09:00 your time"},
		{"a number that tells no zone", "Europe/Paris", "+999123", at(7, 22), at(8, 8),
			"Held for quiet hours until 09:00 tomorrow your time"},
		{"a hold past tomorrow", "Europe/Paris", "+33612345678", at(7, 22), time.Date(2026, 12, 9, 9, 0, 0, 0, paris),
			"Held for quiet hours until 09:00 on 9 Dec your time"},
	} {
		settings := &stockbell.RestockSettings{TimeZone: c.zone}
		h := heldText{Message: &stockbell.Message{Channel: stockbell.ChannelSMS, Recipient: c.recipient}, Until: c.until}
		if got := quietHoldWords(settings, h, c.now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
