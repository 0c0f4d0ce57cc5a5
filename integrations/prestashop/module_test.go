package prestashop_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/stockbell/stockbell/integrations/prestashop"
)

// requirePHP skips the test without php, or fails it under CI=true.
func requirePHP(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("php"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but php is not installed (apt-get install php-cli)")
		}
		t.Skip("php is not installed")
	}
}

// TestModulePHPLint runs php -l on every PHP file of the module, as
// Debian's php-cli does in CI.
func TestModulePHPLint(t *testing.T) {
	requirePHP(t)
	files := 0
	err := filepath.WalkDir("module", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".php" {
			return err
		}
		files++
		if out, err := exec.Command("php", "-l", path).CombinedOutput(); err != nil {
			t.Errorf("php -l %s: %v\n%s", path, err, out)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 {
		t.Fatalf("linted %d PHP files, want the module's (stockbell.php and its classes)", files)
	}
}

// The product hook (run through testdata/hook.php) gives the template the
// product's name as PrestaShop gives it, for data-stockbell-name: the
// snippet puts it in the button's accessible name.
func TestProductHookGivesTheTemplateTheProductName(t *testing.T) {
	requirePHP(t)
	const name = `Pull "Nord" <laine> & co d'été`
	out, err := exec.Command("php", "testdata/hook.php", name).Output()
	if err != nil {
		t.Fatalf("php testdata/hook.php: %v\n%s", err, out)
	}
	var vars map[string]any
	if err := json.Unmarshal(out, &vars); err != nil {
		t.Fatalf("the hook's template variables %q: %v", out, err)
	}
	if got := vars["stockbell_name"]; got != name {
		t.Errorf("stockbell_name %q, want %q (all: %s)", got, name, out)
	}
}

// Every variable product.tpl prints is escaped for HTML or cast to an
// integer: a product's name may hold quotes and angle brackets.
func TestProductTemplateEscapesWhatItPrints(t *testing.T) {
	tpl, err := os.ReadFile("module/stockbell/views/templates/hook/product.tpl")
	if err != nil {
		t.Fatal(err)
	}
	printed := regexp.MustCompile(`\{\$\w+[^}]*\}`).FindAllString(string(tpl), -1)
	escaped := regexp.MustCompile(`^\{\$\w+\|(escape:'html':'UTF-8'|intval)\}$`)
	for _, p := range printed {
		if !escaped.MatchString(p) {
			t.Errorf("product.tpl prints %s unescaped", p)
		}
	}
	if len(printed) < 7 {
		t.Errorf("found %d printed variables in product.tpl: %q", len(printed), printed)
	}
}

// TestConnectFormNamesTheResourcesToTick: the module's connect form tells
// the merchant which resources the webservice key needs View (GET) on:
// every one the connect checks, and the currencies, without which the
// shop's prices reach alerts and the admin without their currency.
func TestConnectFormNamesTheResourcesToTick(t *testing.T) {
	source, err := os.ReadFile("module/stockbell/stockbell.php")
	if err != nil {
		t.Fatal(err)
	}
	desc := regexp.MustCompile(`'STOCKBELL_WEBSERVICE_KEY', 'label' => [^\n]*\n\s*'desc' => \$this->l\('([^']*)'\)`).FindSubmatch(source)
	if desc == nil {
		t.Fatal("no description of the webservice key in the module's connect form")
	}
	for _, resource := range append(slices.Clone(prestashop.RequiredResources), prestashop.CurrencyResource) {
		if !regexp.MustCompile(`\b` + resource + `\b`).Match(desc[1]) {
			t.Errorf("the connect form's key description does not name %s: %s", resource, desc[1])
		}
	}
}
