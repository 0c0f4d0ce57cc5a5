package main

import (
	"encoding/xml"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/snippet/browsertest"
)

// moduleSettings reads the Magento module's configuration page
// (etc/adminhtml/system.xml): where Magento's admin shows it, and the
// labels of its fields.
func moduleSettings(t *testing.T) (path string, fields []string) {
	t.Helper()
	raw, err := os.ReadFile("../integrations/magento/module/etc/adminhtml/system.xml")
	if err != nil {
		t.Fatal(err)
	}
	var config struct {
		Section struct {
			Label string `xml:"label"`
			Tab   string `xml:"tab"`
			Group struct {
				Label  string `xml:"label"`
				Fields []struct {
					Label string `xml:"label"`
				} `xml:"field"`
			} `xml:"group"`
		} `xml:"system>section"`
	}
	if err := xml.Unmarshal(raw, &config); err != nil {
		t.Fatal(err)
	}
	// Magento's tab "service" is the admin's Services.
	if config.Section.Tab != "service" {
		t.Fatalf("the module's settings are under the tab %q", config.Section.Tab)
	}
	for _, f := range config.Section.Group.Fields {
		fields = append(fields, f.Label)
	}
	return "Stores › Configuration › Services › " + config.Section.Label + " › " + config.Section.Group.Label, fields
}

// TestMagentoIdentityPageNamesEveryModuleSetting: the merchant activates
// the integration and Magento opens the identity link. The page names
// where the module's settings are, as Magento's admin shows them, and
// every setting there with its value: Post stock changes (off until set,
// and the module posts nothing while it is off) as Yes, the Stockbell URL
// and the shared secret, so that a merchant doing what it says gets a
// module that posts. It says to copy the secret now (Stockbell's admin
// does not show it) and that a Reauthorize shows it again.
func TestMagentoIdentityPageNamesEveryModuleSetting(t *testing.T) {
	fake := magentoStore(t)
	m := magentoServer(t, "")
	if status, body := activate(t, m, fake.ActivationForm()); status != 200 {
		t.Fatalf("activation answered %d: %s", status, body)
	}
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/auth/magento/identity?"+url.Values{"oauth_consumer_key": {fake.ActivationForm().Get("oauth_consumer_key")},
		"success_call_back": {fake.URL() + "/admin/admin/integration/tokensExchange/"}}.Encode(), "#module-secret")

	path, fields := moduleSettings(t)
	if page := text(t, ctx, "body"); !strings.Contains(page, path) {
		t.Errorf("the identity page does not say where the module's settings are (%s):\n%s", path, page)
	}
	shown := browsertest.Eval[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll("dt")].map((dt) =>
		[dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))`)
	for _, field := range fields {
		if _, ok := shown[field]; !ok {
			t.Errorf("the identity page does not name the module's setting %q (it names %v)", field, shown)
		}
	}
	if on := shown["Post stock changes"]; on != "Yes" {
		t.Errorf("the identity page sets Post stock changes to %q, want Yes", on)
	}
	if shown["Stockbell URL"] != m.URL() || len(shown["Shared secret"]) != 64 {
		t.Errorf("the identity page gives the URL and secret as %v", shown)
	}
	// Stockbell's admin does not show the secret: the merchant is told to
	// copy it now, and where to see it again.
	for _, says := range []string{"Copy the secret now", "Reauthorize"} {
		if page := text(t, ctx, "body"); !strings.Contains(page, says) {
			t.Errorf("the identity page does not say %q:\n%s", says, page)
		}
	}
}

// TestMagentoIdentityWithoutAnActivationSaysWhatToCheck: the store refused
// the token exchange (or Magento's post never reached Stockbell) and
// Magento opens the identity link anyway. The page says that no
// activation was recorded, what to check (the integration's Callback URL,
// Stockbell's /auth/magento/callback) and the button to press in the grid:
// Activate, which Magento shows while the integration's exchange has not
// completed, or Reauthorize when it shows that.
func TestMagentoIdentityWithoutAnActivationSaysWhatToCheck(t *testing.T) {
	fake := magentoStore(t)
	m := magentoServer(t, "")
	refused := fake.ActivationForm()
	refused.Set("oauth_consumer_secret", "not-the-secret-the-store-issued")
	if status, body := activate(t, m, refused); status != 401 {
		t.Fatalf("the refused activation answered %d: %s", status, body)
	}
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/auth/magento/identity?"+url.Values{"oauth_consumer_key": {refused.Get("oauth_consumer_key")},
		"success_call_back": {fake.URL() + "/admin/admin/integration/tokensExchange/"}}.Encode(), "p")
	page := text(t, ctx, "body")
	for _, says := range []string{"No activation", "Callback URL", "/auth/magento/callback", "System › Extensions › Integrations",
		"press Activate", "Reauthorize"} {
		if !strings.Contains(page, says) {
			t.Errorf("the identity page without an activation does not say %q:\n%s", says, page)
		}
	}
}
