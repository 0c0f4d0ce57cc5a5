package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// settingsFormInput is an input of the settings form, by its name.
var settingsFormInput = regexp.MustCompile(`<input type="(?:number|text|time|checkbox)" id="[a-z_]+" name="([a-z_]+)"`)

// TestSettingsPageCommandNamesEveryFlagThePageSets: the terminal command
// under the settings form gives a `settings set` flag (the field's name
// with dashes, as the CLI names it) for every setting the form posts,
// the quiet hours included; email_double_opt_in has no flag.
func TestSettingsPageCommandNamesEveryFlagThePageSets(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := f.signIn(t, mustShop(t, db, "bells.example")).get("/admin/settings")
		wantStatus(t, p, http.StatusOK, "the settings page")
		body := strings.NewReplacer(`<span class="word">`, "", "</span>", "").Replace(p.Body)
		start := strings.Index(body, "settings set --shop bells.example ")
		if start < 0 {
			t.Fatalf("no settings set command:\n%s", visibleText(p.Body))
		}
		command := body[start : start+strings.Index(body[start:], "</code>")]
		inputs := settingsFormInput.FindAllStringSubmatch(p.Body, -1)
		if len(inputs) < 7 {
			t.Fatalf("read %d inputs of the settings form", len(inputs))
		}
		for _, input := range inputs {
			flag := " --" + strings.ReplaceAll(input[1], "_", "-")
			if input[1] != "email_double_opt_in" && !strings.Contains(command+" ", flag+" ") && !strings.Contains(command, flag+"[=") {
				t.Errorf("the page sets %s; its command does not name %s: %s", input[1], flag, command)
			}
		}
	})
}
