package main

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestOperatorCommandsNeverCreateADatabase: run where there is no
// database, the operator commands say so, naming the settings to check,
// and create nothing, not even the development secret key of those that
// use it; migrate creates it, after which they work.
func TestOperatorCommandsNeverCreateADatabase(t *testing.T) {
	dir := t.TempDir()
	getenv := testEnv(t, map[string]string{"STOCKBELL_DATA_DIR": dir})
	for _, args := range [][]string{{"shop", "list"}, {"settings", "get", "--shop", "bells.myshopify.com"},
		{"feed", "sync", "--shop", "shop.example.com"},
		{"shop", "add", "--platform", "feed", "--domain", "shop.example.com", "--feed-url", "https://shop.example.com/feed.json"}} {
		code, stdout, stderr := run(t, getenv, args...)
		if code != 1 || strings.Contains(stdout, "shop(s)") || !strings.Contains(stderr, "STOCKBELL_DATABASE_URL") ||
			!strings.Contains(stderr, "STOCKBELL_DATA_DIR") || !strings.Contains(stderr, filepath.Join(dir, "stockbell.db")) {
			t.Errorf("%v without a database: exit %d, %q %q", args, code, stdout, stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("an operator command created %v", entries)
	}
	if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	if code, stdout, stderr := run(t, getenv, "shop", "list"); code != 0 || !strings.Contains(stdout, "0 shop(s)") {
		t.Fatalf("shop list after migrate: exit %d, %q %q", code, stdout, stderr)
	}
}

// TestOperatorCommandsRefuseAnEmptyPostgres: a PostgreSQL database without
// Stockbell's schema is refused and left empty.
func TestOperatorCommandsRefuseAnEmptyPostgres(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	dbURL := storetest.FreshPostgresURL(t)
	code, _, stderr := run(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL}), "shop", "list")
	if code != 1 || !strings.Contains(stderr, "no Stockbell schema") || !strings.Contains(stderr, "STOCKBELL_DATABASE_URL") {
		t.Fatalf("shop list on an empty database: exit %d, %q", code, stderr)
	}
	db, err := store.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables int
	if err := db.DB.Get(&tables, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'`); err != nil || tables != 0 {
		t.Fatalf("%d tables created (%v)", tables, err)
	}
}

// TestMigrateIntoAPostgresDatabaseThatDoesNotExist: migrate creates the
// schema, not the PostgreSQL database; pointed at a database the server
// does not have, it says so and how to create it, naming the setting, as
// serve does.
func TestMigrateIntoAPostgresDatabaseThatDoesNotExist(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	parsed, err := url.Parse(storetest.FreshPostgresURL(t))
	noErr(t, err)
	parsed.Path = "/stockbell_never_created"
	getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": parsed.String()})
	for _, command := range []string{"migrate", "serve"} {
		code, _, stderr := run(t, getenv, command)
		if code != 1 || !strings.Contains(stderr, "STOCKBELL_DATABASE_URL") ||
			!strings.Contains(stderr, `database "stockbell_never_created" does not exist`) ||
			!strings.Contains(stderr, "createdb stockbell_never_created") {
			t.Errorf("%s into a database the server does not have: exit %d, %q; want exit 1 saying to createdb it", command, code, stderr)
		}
	}
}

// TestADatabaseURLNamingADirectorySaysWhatToName: a SQLite path that is a
// directory (the data directory, say) is refused naming it and the file to
// give instead, by serve and the commands.
func TestADatabaseURLNamingADirectorySaysWhatToName(t *testing.T) {
	dir := t.TempDir()
	getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dir})
	for _, command := range []string{"migrate", "serve"} {
		code, _, stderr := run(t, getenv, command)
		if want := dir + " is a directory: give the database file's path, such as " + filepath.Join(dir, "stockbell.db"); code != 1 ||
			!strings.Contains(stderr, "STOCKBELL_DATABASE_URL") || !strings.Contains(stderr, want) {
			t.Errorf("%s on a directory: exit %d, %q; want exit 1 saying %q", command, code, stderr, want)
		}
	}
}

// TestBinaryCallsItselfStockbell: the usage text names the binary.
func TestBinaryCallsItselfStockbell(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"shop", "--help"}, {"settings", "--help"}, {"migrate", "--help"}, {"admin", "--help"}, {"feed", "--help"}, {"apikey", "--help"}} {
		_, stdout, _ := run(t, testEnv(t, nil), args...)
		if !strings.HasPrefix(stdout, "Usage: stockbell") || strings.Contains(stdout, "Usage: server") || strings.Contains(stdout, "'server ") {
			t.Errorf("%v: %q", args, stdout)
		}
	}
	getenv := testEnv(t, nil)
	if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	if _, _, stderr := run(t, getenv, "settings", "get", "--shop", "nowhere.example.com"); !strings.Contains(stderr, commandAsRun("shop list")) {
		t.Errorf("unknown shop: %q", stderr)
	}
}

// TestStrayArgumentsAreRefused: a word where a flag was expected ends flag
// parsing, so the flags after it would be dropped; the command refuses it
// as a usage error instead of doing part of what was asked.
func TestStrayArgumentsAreRefused(t *testing.T) {
	getenv := testEnv(t, nil)
	for _, args := range [][]string{
		{"migrate", "now"},
		{"settings", "set", "--shop", "shop.example.com", "--wait", "2h", "30m", "--per-unit", "3"},
		{"shop", "add", "--platform", "feed", "--domain", "shop.example.com", "--feed-url", "https://shop.example.com/feed.json", "--name", "My", "Shop", "--interval", "2h"},
		{"admin", "link", "--shop", "shop.example.com", "extra"},
	} {
		code, stdout, stderr := run(t, getenv, args...)
		if code != 2 || !strings.Contains(stderr, "unexpected argument") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// TestCommandsWithoutTheirActionAreUsageErrors: a command that takes an
// action word (shop list, feed sync…) given none is a usage error, so a
// script that forgot the action fails instead of "succeeding" after
// printing help: exit 2, usage on standard error and nothing on standard
// output. Help asked for (-h, --help or help) is still usage on standard
// output and exit 0, as for the binary itself; an unknown action word is a
// usage error like an unknown command.
func TestCommandsWithoutTheirActionAreUsageErrors(t *testing.T) {
	getenv := testEnv(t, nil)
	for _, command := range []string{"shop", "feed", "settings", "admin", "apikey"} {
		code, stdout, stderr := run(t, getenv, command)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "Usage: stockbell "+command) || !strings.Contains(stderr, "no "+command+" command given") {
			t.Errorf("%s alone: exit %d, stdout %q, stderr %q", command, code, stdout, stderr)
		}
		code, stdout, stderr = run(t, getenv, command, "frobnicate")
		if code != 2 || stdout != "" || !strings.Contains(stderr, `unknown `+command+` command "frobnicate"`) || !strings.Contains(stderr, "Usage: stockbell "+command) {
			t.Errorf("%s frobnicate: exit %d, stdout %q, stderr %q", command, code, stdout, stderr)
		}
		for _, help := range []string{"-h", "--help", "-help", "help"} {
			code, stdout, stderr = run(t, getenv, command, help)
			if code != 0 || !strings.HasPrefix(stdout, "Usage: stockbell "+command) || stderr != "" {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", command, help, code, stdout, stderr)
			}
		}
	}
	if code, stdout, _ := run(t, getenv, "help"); code != 0 || !strings.HasPrefix(stdout, "Usage: stockbell") {
		t.Errorf("help: exit %d, stdout %q", code, stdout)
	}
}

// TestCommandsWithoutTheShopAreUsageErrors: every action that needs --shop
// refuses to run without it as a usage error (exit 2, the reason and the
// usage on standard error), not as a failure of the command.
func TestCommandsWithoutTheShopAreUsageErrors(t *testing.T) {
	getenv := testEnv(t, nil)
	for _, args := range [][]string{{"feed", "sync"}, {"settings", "get"}, {"settings", "set", "--wait", "1h"},
		{"admin", "link"}, {"apikey", "create"}, {"apikey", "list"}} {
		code, stdout, stderr := run(t, getenv, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "--shop is required") || !strings.Contains(stderr, "Usage: stockbell "+args[0]) {
			t.Errorf("%v without --shop: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// TestRequiredFlagsLeftOutAreUsageErrors: every flag an action cannot run
// without, not only --shop, is a usage error when left out (exit 2, the
// reason naming the flag and the usage on standard error), as README.md's
// exit codes promise, so that a script can tell a mistyped command from
// one that ran and failed.
func TestRequiredFlagsLeftOutAreUsageErrors(t *testing.T) {
	getenv := testEnv(t, nil)
	keyFile := filepath.Join(t.TempDir(), "ps.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("K", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		flag string
		args []string
	}{
		{"platform", []string{"shop", "add", "--domain", "shop.example.com", "--feed-url", "https://shop.example.com/feed.json"}},
		{"feed-url", []string{"shop", "add", "--platform", "feed", "--domain", "shop.example.com"}},
		{"domain", []string{"shop", "add", "--platform", "feed", "--feed-url", "https://shop.example.com/feed.json"}},
		{"url", []string{"shop", "add", "--platform", "prestashop", "--key-file", keyFile}},
		{"key-file", []string{"shop", "add", "--platform", "prestashop", "--url", "https://ps.example.com"}},
		{"name", []string{"apikey", "create", "--shop", "shop.example.com"}},
		{"id", []string{"apikey", "revoke", "--shop", "shop.example.com"}},
		{"shop", []string{"apikey", "revoke", "--id", "3"}},
	} {
		code, stdout, stderr := run(t, getenv, c.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "--"+c.flag+" is required") || !strings.Contains(stderr, "Usage: stockbell "+c.args[0]) {
			t.Errorf("%v without --%s: exit %d, stdout %q, stderr %q", c.args, c.flag, code, stdout, stderr)
		}
	}
}

// TestShopAddRefusesTheOtherPlatformsFlags: a flag of `shop add` that
// only one platform reads (--name or --interval for a feed, --url or
// --key-file for PrestaShop) given with the other platform would be
// dropped without a word, so it is a usage error naming it (exit 2, the
// usage on standard error) and nothing is stored.
func TestShopAddRefusesTheOtherPlatformsFlags(t *testing.T) {
	getenv := testEnv(t, nil)
	if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	keyFile := filepath.Join(t.TempDir(), "ps.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("K", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	feed := []string{"shop", "add", "--platform", "feed", "--domain", "shop.example.com", "--feed-url", "https://shop.example.com/feed.json"}
	// A loopback port nothing listens on: were the command to go on, it
	// would fail at once rather than reach out.
	prestashop := []string{"shop", "add", "--platform", "prestashop", "--url", "https://127.0.0.1:1", "--key-file", keyFile}
	for _, c := range []struct {
		flag string
		args []string
	}{
		{"name", append(prestashop[:len(prestashop):len(prestashop)], "--name", "My shop")},
		{"interval", append(prestashop[:len(prestashop):len(prestashop)], "--interval", "1h")},
		{"feed-url", append(prestashop[:len(prestashop):len(prestashop)], "--feed-url", "https://127.0.0.1:1/feed.json")},
		{"feed-user", append(prestashop[:len(prestashop):len(prestashop)], "--feed-user", "u")},
		{"feed-password", append(prestashop[:len(prestashop):len(prestashop)], "--feed-password", "p")},
		{"feed-header", append(prestashop[:len(prestashop):len(prestashop)], "--feed-header", "X-Key: k")},
		{"url", append(feed[:len(feed):len(feed)], "--url", "https://shop.example.com")},
		{"key-file", append(feed[:len(feed):len(feed)], "--key-file", keyFile)},
	} {
		code, stdout, stderr := run(t, getenv, c.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "--"+c.flag+" does not apply to --platform "+c.args[3]) ||
			!strings.Contains(stderr, "Usage: stockbell shop add") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, stdout, stderr)
		}
	}
	if code, stdout, _ := run(t, getenv, "shop", "list"); code != 0 || !strings.Contains(stdout, "0 shop(s)") {
		t.Errorf("a refused shop add stored a shop:\n%s", stdout)
	}
}

// TestHelpNamesACommand: `stockbell help COMMAND` prints what `stockbell
// COMMAND -h` prints, on standard output with exit 0, for every command;
// `help COMMAND ACTION` that action's usage; an unknown command after help
// is a usage error naming it (exit 2, the usage on standard error).
func TestHelpNamesACommand(t *testing.T) {
	getenv := testEnv(t, nil)
	for _, cmd := range commands() {
		code, want, _ := run(t, getenv, cmd.name, "-h")
		if code != 0 || !strings.HasPrefix(want, "Usage: stockbell "+cmd.name) {
			t.Fatalf("%s -h: exit %d, stdout %q", cmd.name, code, want)
		}
		for _, help := range [][]string{{"help", cmd.name}, {cmd.name, "--help"}} {
			if code, stdout, stderr := run(t, getenv, help...); code != 0 || stdout != want || stderr != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 0 and %q", help, code, stdout, stderr, want)
			}
		}
	}
	_, want, _ := run(t, getenv, "shop", "add", "-h")
	if code, stdout, _ := run(t, getenv, "help", "shop", "add"); code != 0 || stdout != want || !strings.HasPrefix(want, "Usage: stockbell shop add") {
		t.Errorf("help shop add: exit %d, stdout %q, want %q", code, stdout, want)
	}
	for _, help := range [][]string{{"help", "-h"}, {"help", "help"}} {
		if code, stdout, _ := run(t, getenv, help...); code != 0 || !strings.HasPrefix(stdout, "Usage: stockbell [command]") {
			t.Errorf("%v: exit %d, stdout %q; want the general usage", help, code, stdout)
		}
	}
	code, stdout, stderr := run(t, getenv, "help", "frobnicate")
	if code != 2 || stdout != "" || !strings.Contains(stderr, `unknown command "frobnicate"`) || !strings.Contains(stderr, "Usage: stockbell") {
		t.Errorf("help frobnicate: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestAdminLinkRefusesAnInvalidEmail: --email is checked as the storefront
// checks a shopper's address; a value that is not one is refused on its
// merits (exit 1, one line naming the flag) and no link is printed.
func TestAdminLinkRefusesAnInvalidEmail(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL, "STOCKBELL_PUBLIC_URL": "http://localhost:8080"})
			addFeedShop(t, getenv, "bells.example")
			for _, email := range []string{"not an email", "ops@", "Ops <ops@bells.example>", "ops@localhost"} {
				code, stdout, stderr := run(t, getenv, "admin", "link", "--shop", "bells.example", "--email", email)
				if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "error: --email: ") || strings.Count(stderr, "\n") != 1 {
					t.Errorf("--email %q: exit %d, stdout %q, stderr %q; want exit 1 and one line naming --email", email, code, stdout, stderr)
				}
			}
			if code, stdout, stderr := run(t, getenv, "admin", "link", "--shop", "bells.example", "--email", " Ops@Bells.Example "); code != 0 || !strings.Contains(stdout, "/admin/sign-in?token=") {
				t.Errorf("a valid --email: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
		})
	}
}

// TestRevokingAnAPIKeyTwiceOrAnUnknownOne: revoking is idempotent (the
// second revocation exits 0 and says the key was already revoked, and
// when), while an id the shop has no key with is a failure naming it.
func TestRevokingAnAPIKeyTwiceOrAnUnknownOne(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
			addFeedShop(t, getenv, "api.example")
			if code, _, stderr := run(t, getenv, "apikey", "create", "--shop", "api.example", "--name", "ERP"); code != 0 {
				t.Fatal(stderr)
			}
			revoke := []string{"apikey", "revoke", "--shop", "api.example", "--id", "1"}
			if code, stdout, stderr := run(t, getenv, revoke...); code != 0 || stdout != "API key 1 of api.example revoked.\n" || stderr != "" {
				t.Fatalf("first revoke: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			code, stdout, stderr := run(t, getenv, revoke...)
			if code != 0 || !regexp.MustCompile(`^API key 1 of api\.example was already revoked \(at \d{4}-\d\d-\d\d \d\d:\d\d UTC\)\.\n$`).MatchString(stdout) || stderr != "" {
				t.Errorf("second revoke: exit %d, stdout %q, stderr %q; want exit 0 saying it was already revoked", code, stdout, stderr)
			}
			code, stdout, stderr = run(t, getenv, "apikey", "revoke", "--shop", "api.example", "--id", "7")
			if code != 1 || stdout != "" || !strings.Contains(stderr, "no API key 7") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("unknown id: exit %d, stdout %q, stderr %q; want exit 1 naming it", code, stdout, stderr)
			}
		})
	}
}

// addFeedShop creates the database and adds a feed shop with the operator
// commands.
func addFeedShop(t *testing.T, getenv func(string) string, domain string) {
	t.Helper()
	if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, getenv, "shop", "add", "--platform", "feed", "--domain", domain, "--feed-url", "https://"+domain+"/feed.json"); code != 0 {
		t.Fatal(stderr)
	}
}

// TestFlagValuesOfTheWrongTypeSayWhatIsWanted: a flag's value its type
// cannot read (`--wait 2d`, `--id abc`) is a usage error, exit 2, whose
// line says what the flag wants rather than Go's "parse error".
func TestFlagValuesOfTheWrongTypeSayWhatIsWanted(t *testing.T) {
	getenv := testEnv(t, nil)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"settings", "set", "--shop", "x.example", "--wait", "2d"},
			`invalid value "2d" for flag -wait: want a Go duration such as 90s, 30m or 2h (days in hours: 48h)`},
		{[]string{"shop", "add", "--platform", "feed", "--domain", "x.example", "--feed-url", "https://x.example/f.json", "--interval", "1 hour"},
			`invalid value "1 hour" for flag -interval: want a Go duration such as 90s, 30m or 2h (days in hours: 48h)`},
		{[]string{"apikey", "revoke", "--shop", "x.example", "--id", "abc"}, `invalid value "abc" for flag -id: want a whole number`},
		{[]string{"settings", "set", "--shop", "x.example", "--per-unit", "2.5"}, `invalid value "2.5" for flag -per-unit: want a whole number`},
		{[]string{"settings", "set", "--shop", "x.example", "--quiet-hours=maybe"}, `invalid boolean value "maybe" for -quiet-hours: want true or false`},
	} {
		code, _, stderr := run(t, getenv, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "parse error") || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q with the usage", c.args, code, stderr, c.want)
		}
	}
}
