package integrations_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The platform modules' PHP is linted by the machine's php (php -l in
// each module's tests), which is newer than the oldest PHP the platforms
// run on. These tests read the modules with testdata/phpfeatures.php (PHP's
// own tokenizer) for the syntax an older PHP cannot parse, and the few
// functions it does not have, and check each against the oldest PHP the
// module is said to run on.

// phpFeature is one use, found by testdata/phpfeatures.php, of what came
// with a PHP after 7.2.
type phpFeature struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Feature string `json:"feature"`
	Since   string `json:"since"`
}

// phpFeatures lists the features the files use.
func phpFeatures(t *testing.T, files []string) []phpFeature {
	t.Helper()
	if _, err := exec.LookPath("php"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but php is not installed (apt-get install php-cli)")
		}
		t.Skip("php is not installed")
	}
	out, err := exec.Command("php", append([]string{"testdata/phpfeatures.php"}, files...)...).Output()
	if err != nil {
		t.Fatalf("php testdata/phpfeatures.php: %v\n%s", err, out)
	}
	var found []phpFeature
	if err := json.Unmarshal(out, &found); err != nil {
		t.Fatalf("phpfeatures.php printed %s: %v", out, err)
	}
	return found
}

// phpFiles lists a module's PHP files and templates.
func phpFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".php") || strings.HasSuffix(path, ".phtml")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) < 3 {
		t.Fatalf("found %d PHP files in %s: %v", len(files), dir, err)
	}
	return files
}

// newerThan reports whether PHP version a ("8.1") came after b.
func newerThan(t *testing.T, a, b string) bool {
	t.Helper()
	parse := func(v string) [2]int {
		major, minor, _ := strings.Cut(v, ".")
		x, err1 := strconv.Atoi(major)
		y, err2 := strconv.Atoi(minor)
		if err1 != nil || err2 != nil {
			t.Fatalf("PHP version %q is not MAJOR.MINOR", v)
		}
		return [2]int{x, y}
	}
	pa, pb := parse(a), parse(b)
	return pa[0] > pb[0] || (pa[0] == pb[0] && pa[1] > pb[1])
}

// checkOldestPHP fails for each feature of the module's files newer than
// oldest.
func checkOldestPHP(t *testing.T, dir, oldest, why string) {
	t.Helper()
	for _, f := range phpFeatures(t, phpFiles(t, dir)) {
		if newerThan(t, f.Since, oldest) {
			t.Errorf("%s:%d uses %s (PHP %s), which PHP %s cannot run (%s)", f.File, f.Line, f.Feature, f.Since, oldest, why)
		}
	}
}

// TestPHPFeaturesFindsEachFeature: the checker finds each feature of its
// sample on the line whose comment names it, and nothing else, so that
// the modules' checks below can fail.
func TestPHPFeaturesFindsEachFeature(t *testing.T) {
	const sample = "testdata/phpfeatures_sample.php"
	raw, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for i, line := range strings.Split(string(raw), "\n") {
		if _, comment, ok := strings.Cut(line, " // "); ok {
			for _, feature := range strings.Split(comment, ", ") {
				want[strconv.Itoa(i+1)+" "+feature]++
			}
		}
	}
	got := map[string]int{}
	for _, f := range phpFeatures(t, []string{sample}) {
		got[strconv.Itoa(f.Line)+" "+f.Feature]++
	}
	if len(want) < 15 {
		t.Fatalf("the sample names %d features: %v", len(want), want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("line %s: found %d times, want %d", k, got[k], n)
		}
	}
	for k := range got {
		if want[k] == 0 {
			t.Errorf("line %s: found, but the sample does not name it", k)
		}
	}
}

// TestPrestaShopModuleRunsOnPHP72: PrestaShop 8.0, the oldest the module
// installs on (ps_versions_compliancy), runs on PHP 7.2.5 and later.
func TestPrestaShopModuleRunsOnPHP72(t *testing.T) {
	checkOldestPHP(t, "prestashop/module", "7.2", "PrestaShop 8.0 runs on PHP 7.2.5")
	source, err := os.ReadFile("prestashop/module/stockbell/stockbell.php")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(source), `'min' => '8.0.0'`) {
		t.Error("the module no longer installs from PrestaShop 8.0: change the oldest PHP this test checks")
	}
}

// TestMagentoModuleRunsOnTheMagentoItNames: the module runs on the PHP its
// composer.json requires at least, which admits every PHP the Magento
// releases from then on run on, and docs/magento.md names the first
// Magento 2.4 release that runs on that PHP (2.4.4 for PHP 8.1: 2.4.0 to
// 2.4.3 run on PHP 7.3 and 7.4, which cannot parse the module).
func TestMagentoModuleRunsOnTheMagentoItNames(t *testing.T) {
	raw, err := os.ReadFile("magento/module/composer.json")
	if err != nil {
		t.Fatal(err)
	}
	var composer struct {
		Require map[string]string `json:"require"`
	}
	if err := json.Unmarshal(raw, &composer); err != nil {
		t.Fatal(err)
	}
	oldest := regexp.MustCompile(`^[~^>=]*(\d+\.\d+)`).FindStringSubmatch(composer.Require["php"])
	if oldest == nil {
		t.Fatalf("composer.json requires php %q", composer.Require["php"])
	}
	checkOldestPHP(t, "magento/module", oldest[1], "composer.json requires php "+composer.Require["php"])
	// Magento 2.4.4 to 2.4.8 run on PHP 8.1 to 8.4: a constraint without one
	// of them refuses the module on a store Magento runs on.
	for _, php := range []string{"8.1", "8.2", "8.3", "8.4"} {
		if !regexp.MustCompile(`(^|[^\d.])` + regexp.QuoteMeta(php) + `\b`).MatchString(composer.Require["php"]) {
			t.Errorf("composer.json requires php %q, which refuses PHP %s", composer.Require["php"], php)
		}
	}
	firstMagento := map[string]string{"7.3": "2.4.0", "7.4": "2.4.0", "8.1": "2.4.4", "8.2": "2.4.6", "8.3": "2.4.7"}[oldest[1]]
	guide, err := os.ReadFile("../docs/magento.md")
	if err != nil {
		t.Fatal(err)
	}
	says := "(PHP " + oldest[1] + "+, Magento " + firstMagento + " or later)"
	if firstMagento == "" || !strings.Contains(string(guide), says) {
		t.Errorf("docs/magento.md does not say the module needs %q", says)
	}
}
