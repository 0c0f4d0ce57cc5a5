package web

import (
	"encoding/json"

	stockbell "github.com/stockbell/stockbell"
)

// quietHoursUpdate reads the change's quiet hours fields into u: a
// boolean and two HH:MM strings, each refused naming its field, and the
// type and value it was sent as, when of the wrong type or null (the
// times' format is the domain's to check).
func (c settingsChange) quietHoursUpdate(u *stockbell.SettingsUpdate) error {
	var err error
	if u.QuietHours, err = rawBool("quiet_hours", c.QuietHours); err != nil {
		return err
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
		hhmm, err := rawString(t.field, `a 24-hour time such as "21:00"`, t.raw)
		if err != nil {
			return err
		}
		*t.to = &hhmm
	}
	return nil
}
