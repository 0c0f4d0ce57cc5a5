package main

import (
	"strings"
	"testing"
)

// TestAPIKeyListHasAHeader: `apikey list` prints, as `shop list` does, a
// header row naming its columns, one row per key with each value under
// its column's name, and the count on the last line.
func TestAPIKeyListHasAHeader(t *testing.T) {
	getenv := envWithShop(t, "bells.myshopify.com")
	for _, name := range []string{"ERP", "Warehouse sync"} {
		if code, _, stderr := run(t, getenv, "apikey", "create", "--shop", "bells.myshopify.com", "--name", name); code != 0 {
			t.Fatalf("apikey create %q: exit %d, %q", name, code, stderr)
		}
	}
	if code, _, stderr := run(t, getenv, "apikey", "revoke", "--shop", "bells.myshopify.com", "--id", "1"); code != 0 {
		t.Fatalf("apikey revoke: exit %d, %q", code, stderr)
	}
	code, stdout, stderr := run(t, getenv, "apikey", "list", "--shop", "bells.myshopify.com")
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if code != 0 || len(lines) != 4 || strings.Fields(lines[0])[0] != "ID" || lines[3] != "2 API key(s)" {
		t.Fatalf("exit %d, stderr %q, want a header, two keys and their count:\n%s", code, stderr, stdout)
	}
	header := lines[0]
	for i, want := range [][]string{{"1", "ERP", "revoked"}, {"2", "Warehouse sync", "never used"}} {
		row := []rune(lines[i+1]) // columns are counted in characters: the key ends with "…"
		for column, value := range map[string]string{"ID": want[0], "NAME": want[1], "STATE": want[2]} {
			at := strings.Index(header, column)
			if at < 0 || !strings.HasPrefix(string(row[min(at, len(row)):]), value) {
				t.Errorf("column %s: want %q under it in row %q (header %q)", column, value, string(row), header)
			}
		}
	}
}
