package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// settingsForm is the settings page: the values shown (as typed, after a
// refused post) and the error of the field that was wrong.
type settingsForm struct {
	MinInventory string
	PerUnit      string
	Wait         string
	// TimeZone is the IANA time zone the shop's reports count days in.
	TimeZone string
	// EmailDoubleOptIn: new email subscribers confirm by a link first.
	EmailDoubleOptIn bool
	Error            string
	ErrorField       string
	Example          string
	Saved            *stockbell.RestockSettings
}

// settingsPage shows (GET) and changes (POST) the shop's restock rules.
// A post is validated exactly as `stockbell settings set` is (the domain's
// RestockSettings.Validate through UpdateSettings), and a refused one
// shows the same message beside the field, stores nothing and answers 422.
func (a *Admin) settingsPage(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	current, err := a.Settings.FindSettings(r.Context(), s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	form := settingsFormOf(current)
	if r.Method == http.MethodPost {
		form = settingsForm{MinInventory: r.PostFormValue("min_inventory"), PerUnit: r.PostFormValue("per_unit"),
			Wait: r.PostFormValue("wait"), TimeZone: r.PostFormValue("time_zone"), EmailDoubleOptIn: r.PostFormValue("email_double_opt_in") == "on", Saved: current}
		update, err := parseSettings(form)
		if err == nil {
			_, err = a.Settings.UpdateSettings(r.Context(), s.ShopID, update)
		}
		if err == nil {
			a.Redirect(w, r, s, "/admin/settings", "notice", "settings_saved")
			return
		}
		if stockbell.ErrorCode(err) != stockbell.EINVALID {
			a.Fail(w, r, s, err)
			return
		}
		form.Error, form.ErrorField = stockbell.ErrorMessage(err), stockbell.ErrorField(err)
		a.Render(w, r, s, http.StatusUnprocessableEntity, "settings", "Settings", &form)
		return
	}
	a.Render(w, r, s, http.StatusOK, "settings", "Settings", &form)
}

func settingsFormOf(s *stockbell.RestockSettings) settingsForm {
	return settingsForm{MinInventory: strconv.Itoa(s.MinInventory), PerUnit: strconv.Itoa(s.PerUnit),
		Wait: ShortDuration(s.Wait), TimeZone: s.TimeZone, EmailDoubleOptIn: s.EmailDoubleOptIn, Example: WorkedExample(*s), Saved: s}
}

// parseSettings reads the form's fields. A field that is not a number (or
// a Go duration) is refused naming it, in the CLI's words. A form without
// the time zone leaves it as it is.
func parseSettings(f settingsForm) (stockbell.SettingsUpdate, error) {
	minInventory, err := wholeNumber("min_inventory", f.MinInventory)
	if err != nil {
		return stockbell.SettingsUpdate{}, err
	}
	perUnit, err := wholeNumber("per_unit", f.PerUnit)
	if err != nil {
		return stockbell.SettingsUpdate{}, err
	}
	wait, err := settingsDuration("wait", f.Wait)
	if err != nil {
		return stockbell.SettingsUpdate{}, err
	}
	update := stockbell.SettingsUpdate{MinInventory: &minInventory, PerUnit: &perUnit, Wait: &wait, EmailDoubleOptIn: &f.EmailDoubleOptIn}
	if zone := strings.TrimSpace(f.TimeZone); zone != "" {
		update.TimeZone = &zone
	}
	return update, nil
}

// wholeNumber reads a settings field that is a whole number; the admin
// and the JSON API refuse a bad one in the same words.
func wholeNumber(field, text string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		return 0, stockbell.FieldErrorf(field, "%s must be a whole number, got %q", field, text)
	}
	return n, nil
}

// settingsDuration reads a settings field that is a Go duration.
func settingsDuration(field, text string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(text))
	if err != nil {
		return 0, stockbell.FieldErrorf(field, "%s must be a duration such as 30m or 2h, got %q", field, text)
	}
	return d, nil
}

// ShortDuration writes a duration as Go parses it, without zero units:
// 1h, 1h30m, 45m, 720h.
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

// WorkedExample explains restock settings with the example merchants know
// ("20 units × 5 per unit = the oldest 100 notified, then wait …"). The
// settings page's script writes the same sentence as the values change.
func WorkedExample(s stockbell.RestockSettings) string {
	stock := max(20, s.MinInventory)
	reach := fmt.Sprintf("Nothing is sent until stock reaches %s.", plural(s.MinInventory, "unit"))
	if s.PerUnit == 0 {
		return fmt.Sprintf("When %s units come back, everyone waiting is notified at once. %s", formatNumber(stock), reach)
	}
	return fmt.Sprintf("%s units × %s per unit = the oldest %s notified, then wait %s before counting stock again and notifying the next ones. %s",
		formatNumber(stock), formatNumber(s.PerUnit), formatNumber(stock*s.PerUnit), formatDuration(s.Wait), reach)
}
