package prestashop_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestModulePHPLint runs php -l on every PHP file of the module, as
// Debian's php-cli does in CI.
func TestModulePHPLint(t *testing.T) {
	if _, err := exec.LookPath("php"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but php is not installed (apt-get install php-cli)")
		}
		t.Skip("php is not installed")
	}
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
