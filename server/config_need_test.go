package main

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubcommandsRequireOnlyWhatTheyUse: in production, the subcommands
// that make no link to the server run without STOCKBELL_PUBLIC_URL, and
// those that do not open sealed tokens without STOCKBELL_SECRET_KEY (a
// migration job given the database alone); serve, admin link and a
// PrestaShop shop's connection, which serve or print the public URL, still
// refuse to run without it.
func TestSubcommandsRequireOnlyWhatTheyUse(t *testing.T) {
	dir := t.TempDir()
	getenv := testEnv(t, map[string]string{"STOCKBELL_ENV": "production", "STOCKBELL_DATA_DIR": dir})
	for _, args := range [][]string{{"migrate"}, {"shop", "list"}, {"apikey", "list", "--shop", "nowhere.example.com"},
		{"settings", "get", "--shop", "nowhere.example.com"}, {"backup", "--to", filepath.Join(dir, "copy.db")}} {
		code, stdout, stderr := run(t, getenv, args...)
		if strings.Contains(stderr, "STOCKBELL_PUBLIC_URL") || strings.Contains(stderr, "STOCKBELL_SECRET_KEY") ||
			(code != 0 && !strings.Contains(stderr, "no shop")) {
			t.Errorf("%v: exit %d, %q %q", args, code, stdout, stderr)
		}
	}
	keyed := testEnv(t, map[string]string{"STOCKBELL_ENV": "production", "STOCKBELL_DATA_DIR": dir, "STOCKBELL_SECRET_KEY": strings.Repeat("k", 32)})
	if code, _, stderr := run(t, keyed, "feed", "sync", "--shop", "nowhere.example.com"); code != 1 || !strings.Contains(stderr, "no shop") {
		t.Errorf("feed sync: exit %d, %q", code, stderr)
	}
	keyFile := filepath.Join(dir, "ps.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("K", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"serve"}, {"admin", "link", "--shop", "nowhere.example.com"},
		{"shop", "add", "--platform", "prestashop", "--url", "https://shop.example.com", "--key-file", keyFile}} {
		if code, _, stderr := run(t, keyed, args...); code != 1 || !strings.Contains(stderr, "STOCKBELL_PUBLIC_URL: required") {
			t.Errorf("%v without a public URL: exit %d, %q", args, code, stderr)
		}
	}
}

// TestBigCommerceWithoutAPublicURL: a BigCommerce app's settings do not
// make the public URL required of a command that does not use it, and the
// app's own settings are still checked, each of them, whatever order the
// app's checks run in; a command that uses the public URL still needs it.
func TestBigCommerceWithoutAPublicURL(t *testing.T) {
	vars := map[string]string{"STOCKBELL_ENV": "production", "BIGCOMMERCE_CLIENT_ID": "id", "BIGCOMMERCE_CLIENT_SECRET": "secret"}
	if _, err := readConfig(testEnv(t, vars), publicURLUnused); err != nil {
		t.Errorf("without a public URL: %v", err)
	}
	if _, err := LoadConfig(testEnv(t, vars)); settingOf(err) != "STOCKBELL_PUBLIC_URL" {
		t.Errorf("serve's configuration without a public URL: %v", err)
	}
	withURL := map[string]string{"STOCKBELL_PUBLIC_URL": "https://bell.example", "STOCKBELL_SECRET_KEY": strings.Repeat("k", 32)}
	for _, need := range []publicURLNeed{publicURLRequired, publicURLUnused} {
		cfg, err := readConfig(testEnv(t, merged(vars, withURL)), need)
		if err != nil || cfg.BigCommerce.AppURL != "https://bell.example" {
			t.Errorf("with a public URL (required: %v): %+v, %v", need, cfg, err)
		}
	}
	for setting, broken := range map[string]map[string]string{
		"BIGCOMMERCE_CLIENT_SECRET":       {"BIGCOMMERCE_CLIENT_SECRET": ""},
		"STOCKBELL_BIGCOMMERCE_LOGIN_URL": {"STOCKBELL_BIGCOMMERCE_LOGIN_URL": "login.example"},
		"STOCKBELL_BIGCOMMERCE_API_URL":   {"STOCKBELL_BIGCOMMERCE_API_URL": "api.example"},
		"STOCKBELL_BIGCOMMERCE_APP_ID":    {"STOCKBELL_BIGCOMMERCE_APP_ID": "stockbell"},
	} {
		if _, err := readConfig(testEnv(t, merged(vars, broken)), publicURLUnused); settingOf(err) != setting {
			t.Errorf("without a public URL, with %v: %v, want an error about %s", broken, err, setting)
		}
		if _, err := readConfig(testEnv(t, merged(vars, broken, withURL)), publicURLRequired); settingOf(err) != setting {
			t.Errorf("with a public URL, with %v: %v, want an error about %s", broken, err, setting)
		}
	}
}

// TestBigCommerceSettingsIgnoredWithoutTheApp: without
// BIGCOMMERCE_CLIENT_ID the STOCKBELL_BIGCOMMERCE_* settings are not
// read, whatever their value, as README.md says: the server runs no
// BigCommerce app, and links in emails do not open one.
func TestBigCommerceSettingsIgnoredWithoutTheApp(t *testing.T) {
	cfg, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_BIGCOMMERCE_LOGIN_URL": "login.example",
		"STOCKBELL_BIGCOMMERCE_API_URL": "api.example", "STOCKBELL_BIGCOMMERCE_APP_ID": "stockbell"}))
	if err != nil {
		t.Fatalf("BigCommerce settings without the app: %v", err)
	}
	if apps := platformApps(cfg); apps.BigCommerceAppID != "" {
		t.Errorf("links open a BigCommerce app the server does not run: %+v", apps)
	}
}

// merged is the variables of every map, a later map's value winning.
func merged(vars ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, v := range vars {
		maps.Copy(out, v)
	}
	return out
}

// TestEveryCommandRefusesAnUnusableSecretKey: a secret key that is set but
// too short to be used, or a previous key that is the current one, stops
// every command but version, those that use no key included (a migration
// job run with the servers' environment fails as they would), with one
// line naming the setting and exit 1; nothing is created or migrated.
func TestEveryCommandRefusesAnUnusableSecretKey(t *testing.T) {
	key := strings.Repeat("k", 32)
	for setting, vars := range map[string]map[string]string{
		"STOCKBELL_SECRET_KEY":          {"STOCKBELL_SECRET_KEY": "too-short"},
		"STOCKBELL_SECRET_KEY_PREVIOUS": {"STOCKBELL_SECRET_KEY": key, "STOCKBELL_SECRET_KEY_PREVIOUS": "too-short"},
	} {
		dir := t.TempDir()
		getenv := testEnv(t, merged(vars, map[string]string{"STOCKBELL_DATA_DIR": dir}))
		for _, args := range [][]string{{"migrate"}, {"shop", "list"}, {"settings", "get", "--shop", "nowhere.example.com"},
			{"apikey", "list", "--shop", "nowhere.example.com"}, {"backup", "--to", filepath.Join(dir, "copy.db")}} {
			code, _, stderr := run(t, getenv, args...)
			if code != 1 || !strings.HasPrefix(stderr, "error: "+setting+": must be at least 32 bytes") {
				t.Errorf("%s, %v: exit %d, %q", setting, args, code, stderr)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: the data directory holds %d files, want none", setting, len(entries))
		}
	}
	same := testEnv(t, map[string]string{"STOCKBELL_SECRET_KEY": key, "STOCKBELL_SECRET_KEY_PREVIOUS": key})
	if code, _, stderr := run(t, same, "migrate"); code != 1 || !strings.Contains(stderr, "STOCKBELL_SECRET_KEY_PREVIOUS: is the same as STOCKBELL_SECRET_KEY") {
		t.Errorf("a previous key that is the current one: exit %d, %q", code, stderr)
	}
}

// TestBigCommerceNeedsAPublicURLOnPort443: BigCommerce creates hooks only
// to https on port 443, refusing every other destination, so a production
// server running the BigCommerce app on a public URL of another port
// (https://bell.example:8443) would install stores that never receive a
// webhook, the hook check failing hour after hour where no merchant sees
// it. It stops at start, naming STOCKBELL_PUBLIC_URL and why. Port 443,
// written or not, is accepted, as is another port without the app, or in
// development (a loopback server, which no BigCommerce reaches).
func TestBigCommerceNeedsAPublicURLOnPort443(t *testing.T) {
	app := map[string]string{"STOCKBELL_ENV": "production", "STOCKBELL_SECRET_KEY": strings.Repeat("k", 32),
		"BIGCOMMERCE_CLIENT_ID": "id", "BIGCOMMERCE_CLIENT_SECRET": "secret"}
	_, err := LoadConfig(testEnv(t, merged(app, map[string]string{"STOCKBELL_PUBLIC_URL": "https://bell.example:8443"})))
	if settingOf(err) != "STOCKBELL_PUBLIC_URL" || !strings.Contains(err.Error(), "443") {
		t.Errorf("the BigCommerce app on port 8443: %v, want an error naming STOCKBELL_PUBLIC_URL and port 443", err)
	}
	for _, vars := range []map[string]string{
		merged(app, map[string]string{"STOCKBELL_PUBLIC_URL": "https://bell.example"}),
		merged(app, map[string]string{"STOCKBELL_PUBLIC_URL": "https://bell.example:443"}),
		{"STOCKBELL_ENV": "production", "STOCKBELL_SECRET_KEY": strings.Repeat("k", 32), "STOCKBELL_PUBLIC_URL": "https://bell.example:8443"},
		{"BIGCOMMERCE_CLIENT_ID": "id", "BIGCOMMERCE_CLIENT_SECRET": "secret", "STOCKBELL_PUBLIC_URL": "https://127.0.0.1:8443"},
	} {
		if _, err := LoadConfig(testEnv(t, vars)); err != nil {
			t.Errorf("%v: %v", vars, err)
		}
	}
}
