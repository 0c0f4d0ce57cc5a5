package stockbell

import (
	"context"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones resolve on hosts without a zoneinfo database
)

// RestockSettings are a shop's back-in-stock rules.
type RestockSettings struct {
	ShopID int64 `db:"shop_id" json:"shop_id"`
	// MinInventory is the stock a variant must reach before anyone is notified.
	MinInventory int `db:"min_inventory" json:"min_inventory"`
	// PerUnit is how many subscribers to notify per unit in stock; 0 means everyone queued.
	PerUnit int `db:"per_unit" json:"per_unit"`
	// Wait is the pause between batches when PerUnit is set.
	Wait time.Duration `db:"wait" json:"wait"`
	// AttributionWindow is how long after a notification (or after a click
	// on it) an order from the notified contact counts as its conversion.
	AttributionWindow time.Duration `db:"attribution_window" json:"attribution_window"`
	// TimeZone is the shop's IANA time zone (e.g. Europe/Paris): the days,
	// weeks and months of its reports are counted in it.
	TimeZone string `db:"time_zone" json:"time_zone"`
	// EmailDoubleOptIn asks every new email subscriber to confirm by a
	// link before the subscription is queued (off by default).
	EmailDoubleOptIn bool `db:"email_double_opt_in" json:"email_double_opt_in"`
	// QuietHours holds alert and follow-up texts from QuietHoursStart until
	// QuietHoursEnd (24-hour HH:MM) in the recipient's local time, told by
	// the phone number (the shop's TimeZone when the number does not tell);
	// on by default. See QuietUntil.
	QuietHours      bool      `db:"quiet_hours" json:"quiet_hours"`
	QuietHoursStart string    `db:"quiet_hours_start" json:"quiet_hours_start"`
	QuietHoursEnd   string    `db:"quiet_hours_end" json:"quiet_hours_end"`
	UpdatedAt       time.Time `db:"updated_at" json:"updated_at"`
}

// Limits of the restock settings.
const (
	MinMinInventory = 1
	MaxMinInventory = 1_000_000
	MaxPerUnit      = 10_000
	MinWait         = time.Minute
	MaxWait         = 30 * 24 * time.Hour

	MinAttributionWindow = time.Hour
	MaxAttributionWindow = 90 * 24 * time.Hour
)

// DefaultRestockSettings returns the settings a new shop starts with:
// notify everyone as soon as one unit is back, wait an hour between batches
// if batching is turned on later; count conversions for seven days after a
// notification; report in UTC; hold texts from 21:00 to 09:00 the
// recipient's time.
func DefaultRestockSettings(shopID int64) RestockSettings {
	return RestockSettings{ShopID: shopID, MinInventory: 1, PerUnit: 0, Wait: time.Hour,
		AttributionWindow: DefaultAttributionWindow, TimeZone: "UTC",
		QuietHours: true, QuietHoursStart: DefaultQuietHoursStart, QuietHoursEnd: DefaultQuietHoursEnd}
}

// Validate returns an EINVALID error naming the first field out of range.
func (s *RestockSettings) Validate() error {
	if s.MinInventory < MinMinInventory || s.MinInventory > MaxMinInventory {
		return FieldErrorf("min_inventory", "min_inventory must be between %d and %d, got %d", MinMinInventory, MaxMinInventory, s.MinInventory)
	}
	if s.PerUnit < 0 || s.PerUnit > MaxPerUnit {
		return FieldErrorf("per_unit", "per_unit must be between 0 (everyone) and %d, got %d", MaxPerUnit, s.PerUnit)
	}
	if s.Wait < MinWait || s.Wait > MaxWait {
		return FieldErrorf("wait", "wait must be between %s and %s, got %s", ShortDuration(MinWait), ShortDuration(MaxWait), ShortDuration(s.Wait))
	}
	if s.AttributionWindow < MinAttributionWindow || s.AttributionWindow > MaxAttributionWindow {
		return FieldErrorf("attribution_window", "attribution_window must be between %s and %s, got %s",
			ShortDuration(MinAttributionWindow), ShortDuration(MaxAttributionWindow), ShortDuration(s.AttributionWindow))
	}
	if _, err := LoadTimeZone(s.TimeZone); err != nil {
		return err
	}
	return s.validateQuietHours()
}

// Location returns the shop's time zone (UTC if the stored name is unknown).
func (s *RestockSettings) Location() *time.Location {
	loc, err := LoadTimeZone(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// LoadTimeZone returns the IANA time zone of that name, or an EINVALID
// error naming the field time_zone. "Local" is refused: a shop's reports
// must not change with the server's host.
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, FieldErrorf("time_zone", "time_zone must be an IANA time zone such as Europe/Paris, got %q", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, FieldErrorf("time_zone", "time_zone must be an IANA time zone such as Europe/Paris, got %q", name)
	}
	return loc, nil
}

// SettingsUpdate changes some restock settings; nil fields are left alone.
type SettingsUpdate struct {
	MinInventory      *int
	PerUnit           *int
	Wait              *time.Duration
	AttributionWindow *time.Duration
	TimeZone          *string
	EmailDoubleOptIn  *bool
	QuietHours        *bool
	QuietHoursStart   *string
	QuietHoursEnd     *string
}

// SettingsService reads and changes restock settings.
type SettingsService interface {
	// FindSettings returns the shop's settings (the defaults if never set).
	// Returns ENOTFOUND for an unknown shop.
	FindSettings(ctx context.Context, shopID int64) (*RestockSettings, error)
	// UpdateSettings applies the update after validating the result; returns
	// EINVALID naming the field, and stores nothing, on a bad value.
	UpdateSettings(ctx context.Context, shopID int64, update SettingsUpdate) (*RestockSettings, error)
	// UpdateSettingsIfUnchanged applies the update as UpdateSettings does,
	// only if the stored settings are still those whose UpdatedAt was seen
	// (zero for settings never stored); returns ECONFLICT, storing
	// nothing, if they were changed since.
	UpdateSettingsIfUnchanged(ctx context.Context, shopID int64, update SettingsUpdate, seen time.Time) (*RestockSettings, error)
}

// ShortDuration writes a duration as Go parses it, without zero units:
// 1h, 1h30m, 45m, 720h (not 720h0m0s), as merchants write durations.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// DurationWords writes a duration of whole minutes as people read it
// ("15 minutes", "1 minute"), and any other as ShortDuration does. The
// CLI and the admin state a sign-in link's lifetime (SignInLinkTTL) with
// it.
func DurationWords(d time.Duration) string {
	switch {
	case d%time.Minute != 0:
		return ShortDuration(d)
	case d == time.Minute:
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}
