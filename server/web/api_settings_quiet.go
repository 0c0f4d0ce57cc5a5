package web

import (
	"encoding/json"

	stockbell "github.com/stockbell/stockbell"
)

// quietHoursUpdate reads the change's quiet hours fields into u: a
// boolean and two HH:MM strings, each refused naming its field when of
// the wrong type or null (the times' format is the domain's to check).
func (c settingsChange) quietHoursUpdate(u *stockbell.SettingsUpdate) error {
	if c.QuietHours != nil {
		var on *bool // nil after null, which must not read as false
		if err := json.Unmarshal(c.QuietHours, &on); err != nil || on == nil {
			return stockbell.FieldErrorf("quiet_hours", "quiet_hours must be true or false, got %s", rawText(c.QuietHours))
		}
		u.QuietHours = on
	}
	times := []struct {
		field string
		raw   json.RawMessage
		to    **string
	}{{"quiet_hours_start", c.QuietHoursStart, &u.QuietHoursStart}, {"quiet_hours_end", c.QuietHoursEnd, &u.QuietHoursEnd}}
	for _, t := range times {
		if t.raw == nil {
			continue
		}
		var hhmm *string // nil after null
		if err := json.Unmarshal(t.raw, &hhmm); err != nil || hhmm == nil {
			return stockbell.FieldErrorf(t.field, "%s must be a 24-hour time string such as \"21:00\", got %s", t.field, rawText(t.raw))
		}
		*t.to = hhmm
	}
	return nil
}
