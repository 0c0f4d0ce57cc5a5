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
	// QuietHours holds texts from QuietHoursStart to QuietHoursEnd (HH:MM)
	// in the recipient's local time.
	QuietHours      bool
	QuietHoursStart string
	QuietHoursEnd   string

	Error      string
	ErrorField string
	Example    string
	Saved      *stockbell.RestockSettings
	// Version is the form's settings_version: the changeVersion of the
	// stored settings it was made from ("0": never stored), so that a save
	// refuses to overwrite settings changed elsewhere meanwhile.
	Version string
	// InviteEmail and InviteError are the invitation form's address as
	// typed and why it was refused.
	InviteEmail, InviteError string
}

// SettingsPageFlags are the `stockbell settings set` flags of every
// setting the settings page sets (email double opt-in has none), in the
// page's order, each with its value as the command's synopsis writes it:
// the terminal command under the form lists them. The command's test
// checks each is one of its flags.
var SettingsPageFlags = []string{"--min-inventory N", "--per-unit N", "--wait DURATION",
	"--quiet-hours[=false]", "--quiet-hours-start HH:MM", "--quiet-hours-end HH:MM", "--time-zone ZONE"}

// settingsPageCommand is `settings set` with every flag of the page.
func settingsPageCommand(domain string) string {
	return "settings set --shop " + domain + " " + strings.Join(SettingsPageFlags, " ")
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
	if r.Method == http.MethodPost {
		a.saveSettings(w, r, s, current)
		return
	}
	form := settingsFormOf(current)
	a.Render(w, r, s, http.StatusOK, "settings", "Settings", &form)
}

// saveSettings stores the posted settings, only over the version the page
// was made from (its settings_version): every field the page shows is
// posted, so a save from settings changed elsewhere since would silently
// undo that change.
func (a *Admin) saveSettings(w http.ResponseWriter, r *http.Request, s *AdminSession, current *stockbell.RestockSettings) {
	seen := seenVersion(r.PostForm, "settings_version", current.UpdatedAt)
	form := settingsForm{MinInventory: r.PostFormValue("min_inventory"), PerUnit: r.PostFormValue("per_unit"),
		Wait: r.PostFormValue("wait"), TimeZone: r.PostFormValue("time_zone"), EmailDoubleOptIn: r.PostFormValue("email_double_opt_in") == "on",
		QuietHours: r.PostFormValue("quiet_hours") == "on", QuietHoursStart: r.PostFormValue("quiet_hours_start"),
		QuietHoursEnd: r.PostFormValue("quiet_hours_end"), Saved: current, Version: changeVersion(seen)}
	update, err := parseSettings(form)
	if err == nil {
		_, err = a.Settings.UpdateSettingsIfUnchanged(r.Context(), s.ShopID, update, seen)
	}
	switch stockbell.ErrorCode(err) {
	case "":
		a.Redirect(w, r, s, "/admin/settings", "notice", "settings_saved")
	case stockbell.EINVALID:
		form.Error, form.ErrorField = stockbell.ErrorMessage(err), stockbell.ErrorField(err)
		a.Render(w, r, s, http.StatusUnprocessableEntity, "settings", "Settings", &form)
	case stockbell.ECONFLICT:
		a.refuseChangedSettings(w, r, s, &form)
	default:
		a.Fail(w, r, s, err)
	}
}

// refuseChangedSettings shows the form again as typed, unsaved, when the
// settings were changed elsewhere (another tab, the API) after the page
// was opened. The form now carries the settings stored meanwhile as its
// version, so that saving again replaces them knowingly.
func (a *Admin) refuseChangedSettings(w http.ResponseWriter, r *http.Request, s *AdminSession, typed *settingsForm) {
	current, err := a.Settings.FindSettings(r.Context(), s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	typed.Saved, typed.Version = current, changeVersion(current.UpdatedAt)
	typed.Error = "The settings were changed elsewhere (in another tab, or through the API) at " + current.UpdatedAt.UTC().Format("15:04:05") +
		" UTC, after this page was opened. Your values are below as you typed them; open Settings in a new tab to see the other version, " +
		"or save again to replace it with yours."
	a.Render(w, r, s, http.StatusConflict, "settings", "Settings", typed)
}

func settingsFormOf(s *stockbell.RestockSettings) settingsForm {
	return settingsForm{MinInventory: strconv.Itoa(s.MinInventory), PerUnit: strconv.Itoa(s.PerUnit),
		Wait: ShortDuration(s.Wait), TimeZone: s.TimeZone, EmailDoubleOptIn: s.EmailDoubleOptIn, Example: WorkedExample(*s), Saved: s,
		QuietHours: s.QuietHours, QuietHoursStart: s.QuietHoursStart, QuietHoursEnd: s.QuietHoursEnd,
		Version: changeVersion(s.UpdatedAt)}
}

// parseSettings reads the form's fields. A field that is not a number (or
// a Go duration) is refused naming it, in the CLI's words. A form without
// the time zone or a quiet hours time leaves it as it is.
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
	update.QuietHours = &f.QuietHours
	if start := strings.TrimSpace(f.QuietHoursStart); start != "" {
		update.QuietHoursStart = &start
	}
	if end := strings.TrimSpace(f.QuietHoursEnd); end != "" {
		update.QuietHoursEnd = &end
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
// 1h, 1h30m, 45m, 720h (stockbell.ShortDuration).
func ShortDuration(d time.Duration) string { return stockbell.ShortDuration(d) }

// everyBatchWaits is the worked example's rule for the wait; the settings
// page's script writes the same words.
const everyBatchWaits = "The wait follows every batch, even one that notifies everyone waiting."

// WorkedExample explains restock settings with the example merchants know
// ("20 units × 5 per unit = the oldest 100 notified, then wait …"). The
// settings page's script writes the same sentence as the values change.
func WorkedExample(s stockbell.RestockSettings) string {
	stock := max(20, s.MinInventory)
	reach := fmt.Sprintf("Nothing is sent until stock reaches %s.", plural(s.MinInventory, "unit"))
	if s.PerUnit == 0 {
		return fmt.Sprintf("When %s units come back, everyone waiting is notified at once. %s", formatNumber(stock), reach)
	}
	return fmt.Sprintf("%s units × %s per unit = the oldest %s notified, then wait %s before counting stock again and notifying the next ones. %s %s",
		formatNumber(stock), formatNumber(s.PerUnit), formatNumber(stock*s.PerUnit), formatDuration(s.Wait), everyBatchWaits, reach)
}
