package stockbell

import (
	"time"
)

// Default quiet hours: texts wait from 21:00 until 09:00 in the recipient's
// local time, inside the 8:00–21:00 that US carriers and the TCPA allow
// and close to the 20:00–11:00 window other SMS products ship with.
const (
	DefaultQuietHoursStart = "21:00"
	DefaultQuietHoursEnd   = "09:00"
)

// quietHoursLayout is how quiet hours are written: 24-hour HH:MM.
const quietHoursLayout = "15:04"

// validateQuietHours returns an EINVALID error naming quiet_hours_start or
// quiet_hours_end when one is not an HH:MM time, or both are the same.
func (s *RestockSettings) validateQuietHours() error {
	if _, err := parseClock(s.QuietHoursStart); err != nil {
		return FieldErrorf("quiet_hours_start", "quiet_hours_start must be a 24-hour time such as 21:00, got %q", s.QuietHoursStart)
	}
	if _, err := parseClock(s.QuietHoursEnd); err != nil {
		return FieldErrorf("quiet_hours_end", "quiet_hours_end must be a 24-hour time such as 09:00, got %q", s.QuietHoursEnd)
	}
	if s.QuietHoursStart == s.QuietHoursEnd {
		return FieldErrorf("quiet_hours_end", "quiet_hours_end must differ from quiet_hours_start (%s)", s.QuietHoursStart)
	}
	return nil
}

// parseClock returns the minutes since midnight of an HH:MM time.
func parseClock(hhmm string) (int, error) {
	t, err := time.Parse(quietHoursLayout, hhmm)
	if err != nil || len(hhmm) != len(quietHoursLayout) {
		return 0, FieldErrorf("quiet_hours", "not an HH:MM time: %q", hhmm)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// QuietUntil returns when a text to a recipient living in the given time
// zones may be sent, if now falls inside the shop's quiet hours in any of
// them, or the zero time when it may be sent now (or quiet hours are off).
// With several zones it waits for the night that ends last, and for any
// night that has begun by then in another zone. Without zones, or with
// zones so far apart that it is night in one of them at every hour (an
// unassigned +1 number spans Guam to Hawaii), it uses the shop's own time
// zone.
func (s *RestockSettings) QuietUntil(now time.Time, zones []*time.Location) time.Time {
	if !s.QuietHours {
		return time.Time{}
	}
	if until, ok := s.quietUntilIn(now, zones); ok {
		return until
	}
	until, _ := s.quietUntilIn(now, []*time.Location{s.Location()})
	return until
}

// quietUntilIn is QuietUntil for the zones given; ok is false when there
// are none, or when no hour is outside the quiet hours in all of them.
func (s *RestockSettings) quietUntilIn(now time.Time, zones []*time.Location) (until time.Time, ok bool) {
	if len(zones) == 0 {
		return time.Time{}, false
	}
	at := now
	// Each pass moves past one zone's night at least; a night that
	// begins elsewhere while the first ends is waited for too.
	for range len(zones) + 1 {
		end := s.latestQuietEnd(at, zones)
		if end.IsZero() {
			return until, true
		}
		until, at = end, end
	}
	return time.Time{}, false
}

// latestQuietEnd returns the latest end of the quiet hours at in any of the
// zones, or zero if at is outside them everywhere.
func (s *RestockSettings) latestQuietEnd(at time.Time, zones []*time.Location) time.Time {
	start, errStart := parseClock(s.QuietHoursStart)
	end, errEnd := parseClock(s.QuietHoursEnd)
	if errStart != nil || errEnd != nil {
		return time.Time{} // never stored: Validate refuses it
	}
	var latest time.Time
	for _, loc := range zones {
		local := at.In(loc)
		minute := local.Hour()*60 + local.Minute()
		if !insideWindow(minute, start, end) {
			continue
		}
		ends := time.Date(local.Year(), local.Month(), local.Day(), end/60, end%60, 0, 0, loc)
		if !ends.After(at) {
			ends = time.Date(local.Year(), local.Month(), local.Day()+1, end/60, end%60, 0, 0, loc)
		}
		if ends.After(latest) {
			latest = ends
		}
	}
	return latest.UTC()
}

// insideWindow tells whether minute (since midnight) is in [start, end),
// a window that may run past midnight.
func insideWindow(minute, start, end int) bool {
	if start < end {
		return minute >= start && minute < end
	}
	return minute >= start || minute < end
}
