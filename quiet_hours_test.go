package stockbell_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestQuietUntil(t *testing.T) {
	s := stockbell.DefaultRestockSettings(1)
	s.TimeZone = "Asia/Tokyo"
	newYork, paris := zone(t, "America/New_York"), zone(t, "Europe/Paris")
	chicago, losAngeles := zone(t, "America/Chicago"), zone(t, "America/Los_Angeles")
	utc := func(day, hour, minute int) time.Time { return time.Date(2026, 12, day, hour, minute, 0, 0, time.UTC) }
	cases := []struct {
		name  string
		now   time.Time
		zones []*time.Location
		want  time.Time
	}{
		{"New York evening", utc(7, 23, 0), []*time.Location{newYork}, time.Time{}},
		{"Paris midnight", utc(7, 23, 0), []*time.Location{paris}, utc(8, 8, 0)},
		{"Paris at 09:00 sharp", utc(8, 8, 0), []*time.Location{paris}, time.Time{}},
		{"Paris at 21:00 sharp", utc(8, 20, 0), []*time.Location{paris}, utc(9, 8, 0)},
		{"New York before 9", utc(8, 13, 59), []*time.Location{newYork}, utc(8, 14, 0)},
		// Night in Chicago ends first; by then it is night still in Los
		// Angeles: the latest-ending night wins.
		{"two zones", utc(8, 5, 0), []*time.Location{chicago, losAngeles}, utc(8, 17, 0)},
		{"evening in one zone, night in another", utc(8, 2, 30), []*time.Location{losAngeles, newYork}, utc(8, 17, 0)},
		// No zone: the shop's own (Tokyo, UTC+9): 23:00 UTC is 08:00 there.
		{"shop's zone", utc(7, 23, 0), nil, utc(8, 0, 0)},
		// Night somewhere at every hour: the shop's zone, where 13:00 UTC
		// is 22:00.
		{"zones all round the clock", utc(8, 13, 0), []*time.Location{time.UTC, zone(t, "Etc/GMT-6"), zone(t, "Etc/GMT-12")}, utc(9, 0, 0)},
	}
	for _, c := range cases {
		if got := s.QuietUntil(c.now, c.zones); !got.Equal(c.want) {
			t.Errorf("%s: QuietUntil(%s) = %s, want %s", c.name, c.now.Format(time.RFC3339), got, c.want)
		}
	}
	s.QuietHours = false
	if got := s.QuietUntil(utc(7, 23, 0), []*time.Location{paris}); !got.IsZero() {
		t.Errorf("quiet hours off: QuietUntil = %s, want zero", got)
	}
	s.QuietHours, s.QuietHoursStart, s.QuietHoursEnd = true, "08:00", "17:00" // a window inside one day
	if got := s.QuietUntil(utc(8, 10, 0), []*time.Location{paris}); !got.Equal(utc(8, 16, 0)) {
		t.Errorf("day window: QuietUntil = %s, want 16:00 UTC", got)
	}
}

func TestQuietHoursValidate(t *testing.T) {
	for _, c := range []struct{ start, end, field string }{
		{"21:00", "09:00", ""}, {"00:00", "23:59", ""},
		{"9pm", "09:00", "quiet_hours_start"}, {"21:00", "9:00", "quiet_hours_end"},
		{"21:00", "24:00", "quiet_hours_end"}, {"", "09:00", "quiet_hours_start"},
		{"21:00", "21:00", "quiet_hours_end"},
	} {
		s := stockbell.DefaultRestockSettings(1)
		s.QuietHoursStart, s.QuietHoursEnd = c.start, c.end
		err := s.Validate()
		if got := stockbell.ErrorField(err); got != c.field {
			t.Errorf("%q–%q: error %v names %q, want %q", c.start, c.end, err, got, c.field)
		}
	}
}
