package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// TestSettingsGetAlignsValues: every value `settings get` prints starts in
// the same column, the longest key's included.
func TestSettingsGetAlignsValues(t *testing.T) {
	getenv := envWithShop(t, "bells.myshopify.com")
	code, stdout, stderr := run(t, getenv, "settings", "get", "--shop", "bells.myshopify.com")
	if code != 0 {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	keysByColumn := map[int][]string{}
	for _, line := range lines {
		key, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(value) == "" {
			t.Fatalf("line %q is not key: value", line)
		}
		column := len(line) - len(strings.TrimLeft(value, " "))
		keysByColumn[column] = append(keysByColumn[column], key)
	}
	if len(keysByColumn) != 1 || len(lines) != 7 {
		t.Errorf("the %d values start in %d columns (keys by column: %v):\n%s", len(lines), len(keysByColumn), keysByColumn, stdout)
	}
}

// envWithShop is a configuration whose migrated database holds one
// Shopify shop of the domain given.
func envWithShop(t *testing.T, domain string) func(string) string {
	t.Helper()
	getenv := testEnv(t, nil)
	cfg, _ := LoadConfig(getenv)
	db, err := store.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrate(context.Background(), db.Conn, cfg, slog.New(slog.DiscardHandler), untold); err != nil {
		t.Fatal(err)
	}
	storetest.MustShop(t, db, "shopify", domain)
	return getenv
}

// oneSpaced is the output with every run of spaces and newlines as one
// space, so that a value is found beside its key however the columns fall.
func oneSpaced(out string) string { return strings.Join(strings.Fields(out), " ") }

// TestSettingsSetHelpNamesTheAcceptedRanges: the help of each bounded
// flag of `settings set` names the range the settings' validation accepts,
// written from the same constants, so a limit changed without its help
// fails here.
func TestSettingsSetHelpNamesTheAcceptedRanges(t *testing.T) {
	code, help, stderr := run(t, testEnv(t, nil), "settings", "set", "--help")
	if code != 0 {
		t.Fatalf("settings set --help: exit %d, %q", code, stderr)
	}
	for flag, want := range map[string]string{
		"min-inventory":      fmt.Sprintf("%d to %d", stockbell.MinMinInventory, stockbell.MaxMinInventory),
		"per-unit":           fmt.Sprintf("0 to %d", stockbell.MaxPerUnit),
		"wait":               stockbell.ShortDuration(stockbell.MinWait) + " to " + stockbell.ShortDuration(stockbell.MaxWait),
		"attribution-window": stockbell.ShortDuration(stockbell.MinAttributionWindow) + " to " + stockbell.ShortDuration(stockbell.MaxAttributionWindow),
	} {
		if usage := flagUsage(help, flag); !strings.Contains(usage, want) {
			t.Errorf("--%s's help %q does not name the range accepted, %s", flag, usage, want)
		}
	}
}

// flagUsage is the usage text help prints for the flag (as the flag
// package prints it: "  -name type" then the text, indented).
func flagUsage(help, flag string) string {
	lines := strings.Split(help, "\n")
	for i, line := range lines {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name != "-"+flag {
			continue
		}
		var usage []string
		for _, next := range lines[i+1:] {
			if !strings.HasPrefix(next, "    ") {
				break
			}
			usage = append(usage, strings.TrimSpace(next))
		}
		return strings.Join(usage, " ")
	}
	return ""
}

// TestSettingsSetQuietHours: `settings set` turns a shop's SMS quiet hours
// off and on and moves them, `settings get` prints them, and a bad time
// is refused naming its flag, changing nothing.
func TestSettingsSetQuietHours(t *testing.T) {
	getenv := envWithShop(t, "bells.myshopify.com")
	code, stdout, stderr := run(t, getenv, "settings", "set", "--shop", "bells.myshopify.com",
		"--quiet-hours=false", "--quiet-hours-start", "22:30", "--quiet-hours-end", "08:00")
	if code != 0 {
		t.Fatalf("exit %d, %q", code, stderr)
	}
	if got := oneSpaced(stdout); !strings.Contains(got, "quiet-hours: off (22:30 to 08:00)") {
		t.Errorf("settings set printed %q, want quiet hours off from 22:30 to 08:00", got)
	}
	code, _, stderr = run(t, getenv, "settings", "set", "--shop", "bells.myshopify.com", "--quiet-hours", "--quiet-hours-end", "25:00")
	if code == 0 || !strings.Contains(stderr, "--quiet-hours-end") {
		t.Errorf("a bad end time: exit %d, %q, want a failure naming --quiet-hours-end", code, stderr)
	}
	code, stdout, _ = run(t, getenv, "settings", "get", "--shop", "bells.myshopify.com")
	if got := oneSpaced(stdout); code != 0 || !strings.Contains(got, "quiet-hours: off (22:30 to 08:00)") {
		t.Errorf("after a refused change settings get printed %q, want the quiet hours unchanged", got)
	}
	code, stdout, _ = run(t, getenv, "settings", "set", "--shop", "bells.myshopify.com", "--quiet-hours")
	if got := oneSpaced(stdout); code != 0 || !strings.Contains(got, "quiet-hours: on (22:30 to 08:00)") {
		t.Errorf("turning quiet hours on printed %q", got)
	}
}

// TestSettingsPageFlagsAreTheCommands: each flag the admin's settings page
// lists in its terminal command is one `settings set` takes, written as
// the command's synopsis writes it.
func TestSettingsPageFlagsAreTheCommands(t *testing.T) {
	_, help, _ := run(t, testEnv(t, nil), "settings", "set", "--help")
	for _, flag := range web.SettingsPageFlags {
		name, _, _ := strings.Cut(strings.TrimPrefix(flag, "--"), " ")
		name, _, _ = strings.Cut(name, "[")
		if !strings.Contains(settingsSetSynopsis, "["+flag+"]") || !strings.Contains(help, "\n  -"+name+"\n") && !strings.Contains(help, "\n  -"+name+" ") {
			t.Errorf("the settings page lists %s, which settings set does not take so:\n%s", flag, help)
		}
	}
}

// TestSettingsSetWithNothingToSetIsAUsageError: `settings set --shop X`
// without a setting to change asks nothing of the command, as a command
// without its action word does: a usage error, exit 2, with the reason and
// the usage on standard error.
func TestSettingsSetWithNothingToSetIsAUsageError(t *testing.T) {
	code, stdout, stderr := run(t, testEnv(t, nil), "settings", "set", "--shop", "example.myshopify.com")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "nothing to set") || !strings.Contains(stderr, "Usage: stockbell settings set") {
		t.Fatalf("settings set with nothing to set: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
