package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// apiSettings is the JSON of a shop's restock settings; durations are Go
// duration strings ("2h", "30m").
type apiSettings struct {
	MinInventory      int       `json:"min_inventory"`
	PerUnit           int       `json:"per_unit"`
	Wait              string    `json:"wait"`
	AttributionWindow string    `json:"attribution_window"`
	TimeZone          string    `json:"time_zone"`
	EmailDoubleOptIn  bool      `json:"email_double_opt_in"`
	QuietHours        bool      `json:"quiet_hours"`
	QuietHoursStart   string    `json:"quiet_hours_start"`
	QuietHoursEnd     string    `json:"quiet_hours_end"`
	UpdatedAt         time.Time `json:"updated_at"`
}

func apiSettingsOf(s *stockbell.RestockSettings) apiSettings {
	return apiSettings{MinInventory: s.MinInventory, PerUnit: s.PerUnit, Wait: ShortDuration(s.Wait),
		AttributionWindow: ShortDuration(s.AttributionWindow), TimeZone: s.TimeZone, EmailDoubleOptIn: s.EmailDoubleOptIn,
		QuietHours: s.QuietHours, QuietHoursStart: s.QuietHoursStart, QuietHoursEnd: s.QuietHoursEnd, UpdatedAt: s.UpdatedAt}
}

// settingsChange is the body of PUT /api/v1/settings: the fields given
// change, the others are kept; updated_at is read-only. Each is read raw so that a value of the
// wrong type is refused in the admin's and the CLI's words.
type settingsChange struct {
	MinInventory      json.RawMessage `json:"min_inventory"`
	PerUnit           json.RawMessage `json:"per_unit"`
	Wait              json.RawMessage `json:"wait"`
	AttributionWindow json.RawMessage `json:"attribution_window"`
	TimeZone          json.RawMessage `json:"time_zone"`
	EmailDoubleOptIn  json.RawMessage `json:"email_double_opt_in"`
	QuietHours        json.RawMessage `json:"quiet_hours"`
	QuietHoursStart   json.RawMessage `json:"quiet_hours_start"`
	QuietHoursEnd     json.RawMessage `json:"quiet_hours_end"`
	// UpdatedAt is read and ignored, so that the settings GET answers can
	// be changed and put back whole.
	UpdatedAt json.RawMessage `json:"updated_at"`
}

func (a *API) getSettings(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	settings, err := a.Settings.FindSettings(r.Context(), key.ShopID)
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	if notModified(w, r, settings.UpdatedAt) {
		return
	}
	WriteJSON(w, http.StatusOK, apiSettingsOf(settings))
}

// putSettings validates exactly as the admin's settings page and
// `stockbell settings set` do (RestockSettings.Validate through
// UpdateSettings): a refused change stores nothing and names its field.
// With If-Match naming the settings' ETag, the change is stored only if
// no one changed them since (412 otherwise, storing nothing). The answer
// carries the stored settings' ETag, the one a GET answers next.
func (a *API) putSettings(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	var change settingsChange
	if err := decodeJSON(w, r, &change); err != nil {
		a.server.Error(w, r, err)
		return
	}
	update, err := change.update()
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	settings, err := a.storeSettings(r, key.ShopID, update)
	if err != nil {
		a.server.writeError(w, r, err, preconditionStatuses)
		return
	}
	w.Header().Set("ETag", versionETag(settings.UpdatedAt))
	WriteJSON(w, http.StatusOK, apiSettingsOf(settings))
}

// storeSettings stores the update on the condition of the request's
// If-Match, checked again in the update's transaction.
func (a *API) storeSettings(r *http.Request, shopID int64, update stockbell.SettingsUpdate) (*stockbell.RestockSettings, error) {
	if len(r.Header.Values("If-Match")) == 0 {
		return a.Settings.UpdateSettings(r.Context(), shopID, update)
	}
	saved, err := a.Settings.FindSettings(r.Context(), shopID)
	if err != nil {
		return nil, err
	}
	conditional, err := ifMatch(r, "the settings", saved.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if conditional {
		return a.Settings.UpdateSettingsIfUnchanged(r.Context(), shopID, update, saved.UpdatedAt)
	}
	return a.Settings.UpdateSettings(r.Context(), shopID, update)
}

func (c settingsChange) update() (stockbell.SettingsUpdate, error) {
	var u stockbell.SettingsUpdate
	var err error
	numbers := []struct {
		field string
		raw   json.RawMessage
		to    **int
	}{{"min_inventory", c.MinInventory, &u.MinInventory}, {"per_unit", c.PerUnit, &u.PerUnit}}
	for _, n := range numbers {
		if n.raw != nil {
			if kind := jsonValueKind(string(n.raw)); !strings.HasPrefix(kind, "number ") {
				return u, stockbell.FieldErrorf(n.field, "%s must be a whole number (a JSON number), got %s.", n.field, kind)
			}
			value, err := wholeNumber(n.field, string(n.raw))
			if err != nil {
				return u, err
			}
			*n.to = &value
		}
	}
	if u.Wait, err = rawDuration("wait", c.Wait); err != nil {
		return u, err
	}
	if u.AttributionWindow, err = rawDuration("attribution_window", c.AttributionWindow); err != nil {
		return u, err
	}
	if c.TimeZone != nil {
		zone, err := rawString("time_zone", `an IANA time zone such as "Europe/Paris"`, c.TimeZone)
		if err != nil {
			return u, err
		}
		u.TimeZone = &zone
	}
	if u.EmailDoubleOptIn, err = rawBool("email_double_opt_in", c.EmailDoubleOptIn); err != nil {
		return u, err
	}
	if err := c.quietHoursUpdate(&u); err != nil {
		return u, err
	}
	if u == (stockbell.SettingsUpdate{}) {
		return u, stockbell.FieldErrorf("body", "Nothing to change: give min_inventory, per_unit, wait, attribution_window, time_zone, email_double_opt_in, quiet_hours, quiet_hours_start or quiet_hours_end.")
	}
	return u, nil
}

// rawDuration reads a JSON duration string ("2h"); nil when absent.
func rawDuration(field string, raw json.RawMessage) (*time.Duration, error) {
	if raw == nil {
		return nil, nil
	}
	text, err := rawString(field, `a duration such as "30m" or "2h"`, raw)
	if err != nil {
		return nil, err
	}
	d, err := settingsDuration(field, text)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// rawString reads the JSON string of the field; a value of another JSON
// type, null included, is refused naming the field, what it must be and
// the type it was sent as (a number is not read as the string of its
// digits).
func rawString(field, what string, raw json.RawMessage) (string, error) {
	var s *string
	if json.Unmarshal(raw, &s) != nil || s == nil {
		return "", stockbell.FieldErrorf(field, "%s must be a JSON string, %s, got %s.", field, what, jsonValueKind(string(raw)))
	}
	return *s, nil
}

// rawBool reads the JSON boolean of the field; nil when absent. A value of
// another JSON type, null included (which must not read as false), is
// refused naming the field and the type and value it was sent as (the
// string "true" is not read as true).
func rawBool(field string, raw json.RawMessage) (*bool, error) {
	if raw == nil {
		return nil, nil
	}
	var on *bool
	if json.Unmarshal(raw, &on) != nil || on == nil {
		return nil, stockbell.FieldErrorf(field, "%s must be true or false (a JSON boolean), got %s.", field, jsonValueKind(string(raw)))
	}
	return on, nil
}
