package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
)

// settingOf returns the setting a configuration error names.
func settingOf(err error) string {
	var ce *configError
	if errors.As(err, &ce) {
		return ce.Setting
	}
	return ""
}

func TestShopifyConfig(t *testing.T) {
	cfg, err := LoadConfig(testEnv(t, map[string]string{
		"SHOPIFY_API_KEY": "key", "SHOPIFY_API_SECRET": "secret", "SHOPIFY_APP_URL": "https://app.example/",
		"SCOPES": "read_products, read_inventory,read_orders",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"read_products", "read_inventory", "read_orders"}
	if s := cfg.Shopify; s.AppURL != "https://app.example" || !reflect.DeepEqual(s.Scopes, want) || s.AdminURL != "https://{shop}" || !s.Enabled() {
		t.Fatalf("cfg = %+v", s)
	}
	cases := map[string]map[string]string{
		"SHOPIFY_API_SECRET":          {"SHOPIFY_API_KEY": "k", "STOCKBELL_PUBLIC_URL": "https://a"},
		"STOCKBELL_SHOPIFY_ADMIN_URL": {"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "STOCKBELL_PUBLIC_URL": "https://a", "STOCKBELL_SHOPIFY_ADMIN_URL": "http://127.0.0.1:1"},
		"SHOPIFY_SCOPES":              {"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "STOCKBELL_PUBLIC_URL": "https://a", "SHOPIFY_SCOPES": "read products;drop"},
		"SCOPES":                      {"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "STOCKBELL_PUBLIC_URL": "https://a", "SCOPES": "read products;drop"},
	}
	for setting, vars := range cases {
		if _, err := LoadConfig(testEnv(t, vars)); settingOf(err) != setting {
			t.Errorf("want an error naming %s, got %v", setting, err)
		}
	}
	if cfg, err := LoadConfig(testEnv(t, nil)); err != nil || cfg.Shopify.Enabled() || !reflect.DeepEqual(cfg.Shopify.Scopes, stockbell.DefaultShopifyScopes) {
		t.Fatalf("unset: %+v, %v", cfg.Shopify, err)
	}
}

// TestPublicURLDefaultsInDevelopmentWithShopify: a configured Shopify app
// does not make the public URL required in development; it gets the same
// default as everything else, parsed once.
func TestPublicURLDefaultsInDevelopmentWithShopify(t *testing.T) {
	cfg, err := LoadConfig(testEnv(t, map[string]string{
		"SHOPIFY_API_KEY": "key", "SHOPIFY_API_SECRET": "secret", "STOCKBELL_ADDR": "", "PORT": "3457",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PublicURL != "http://localhost:3457" || cfg.Shopify.AppURL != cfg.PublicURL || cfg.Delivery.PublicURL != cfg.PublicURL {
		t.Fatalf("public URL %q, Shopify's %q, delivery's %q", cfg.PublicURL, cfg.Shopify.AppURL, cfg.Delivery.PublicURL)
	}
	if _, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_ENV": "production", "SHOPIFY_API_KEY": "key",
		"SHOPIFY_API_SECRET": "secret"})); settingOf(err) != "STOCKBELL_PUBLIC_URL" {
		t.Fatalf("production without a public URL: %v", err)
	}
}

func TestDeliveryConfig(t *testing.T) {
	cfg, err := LoadConfig(testEnv(t, map[string]string{
		"STOCKBELL_PUBLIC_URL":                   "https://bell.example/",
		"STOCKBELL_SMTP_URL":                     "smtp://apikey:se%2Fcret@smtp.example:2525",
		"STOCKBELL_EMAIL_FROM":                   "Back in stock <alerts@bell.example>",
		"STOCKBELL_SMTP_MAX_SESSIONS":            "8",
		"STOCKBELL_SMTP_RATE":                    "12.5",
		"STOCKBELL_TWILIO_ACCOUNT_SID":           "AC1",
		"STOCKBELL_TWILIO_AUTH_TOKEN":            "t",
		"STOCKBELL_TWILIO_MESSAGING_SERVICE_SID": "MG1",
		"STOCKBELL_SMS_STOP":                     "always",
	}))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Delivery
	s := d.SMTP
	if d.PublicURL != "https://bell.example" || s.Host != "smtp.example" || s.Port != 2525 || s.Security != delivery.SMTPStartTLS ||
		s.Username != "apikey" || s.Password != "se/cret" || s.FromAddress != "alerts@bell.example" || s.FromName != "Back in stock" ||
		s.MaxSessions != 8 || s.RatePerSecond != 12.5 || s.Burst != 10 || s.SendingDomain() != "bell.example" {
		t.Errorf("SMTP config %+v", s)
	}
	if tw := d.Twilio; tw.APIURL != delivery.DefaultTwilioAPIURL || tw.MessagingServiceSID != "MG1" || tw.RatePerSecond != 10 || d.Stop != delivery.StopAlways {
		t.Errorf("Twilio config %+v, stop %q", tw, d.Stop)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	none, err := LoadConfig(testEnv(t, nil))
	if err != nil || none.Delivery.SMTP.Enabled() || none.Delivery.Twilio.Enabled() || none.Delivery.Stop != delivery.StopNorthAmerica {
		t.Fatalf("empty environment: %+v, %v", none.Delivery, err)
	}
}

func TestDeliveryConfigErrorsNameTheVariable(t *testing.T) {
	smtp := map[string]string{"STOCKBELL_SMTP_URL": "smtp://smtp.example", "STOCKBELL_EMAIL_FROM": "alerts@bell.example"}
	twilio := map[string]string{"STOCKBELL_TWILIO_ACCOUNT_SID": "AC1", "STOCKBELL_TWILIO_AUTH_TOKEN": "t", "STOCKBELL_TWILIO_FROM": "+15005550006"}
	cases := []struct {
		base  map[string]string
		set   map[string]string
		field string
	}{
		{smtp, map[string]string{"STOCKBELL_SMTP_URL": "ftp://x"}, "STOCKBELL_SMTP_URL"},
		{smtp, map[string]string{"STOCKBELL_EMAIL_FROM": ""}, "STOCKBELL_EMAIL_FROM"},
		{smtp, map[string]string{"STOCKBELL_EMAIL_FROM": "not an address"}, "STOCKBELL_EMAIL_FROM"},
		{smtp, map[string]string{"STOCKBELL_SMTP_MAX_SESSIONS": "0"}, "STOCKBELL_SMTP_MAX_SESSIONS"},
		{smtp, map[string]string{"STOCKBELL_SMTP_RATE": "fast"}, "STOCKBELL_SMTP_RATE"},
		{twilio, map[string]string{"STOCKBELL_TWILIO_AUTH_TOKEN": ""}, "STOCKBELL_TWILIO_AUTH_TOKEN"},
		{twilio, map[string]string{"STOCKBELL_TWILIO_FROM": ""}, "STOCKBELL_TWILIO_FROM"},
		{twilio, map[string]string{"STOCKBELL_TWILIO_MESSAGING_SERVICE_SID": "MG1"}, "STOCKBELL_TWILIO_FROM"},
		{twilio, map[string]string{"STOCKBELL_TWILIO_API_URL": "localhost:8080"}, "STOCKBELL_TWILIO_API_URL"},
		{nil, map[string]string{"STOCKBELL_SMS_STOP": "never"}, "STOCKBELL_SMS_STOP"},
	}
	for _, c := range cases {
		env := map[string]string{}
		for k, v := range c.base {
			env[k] = v
		}
		for k, v := range c.set {
			env[k] = v
		}
		if _, err := LoadConfig(testEnv(t, env)); settingOf(err) != c.field {
			t.Errorf("%v: error %v, want one naming %s", c.set, err, c.field)
		}
	}
	if err := (delivery.Config{PublicURL: "bell.example"}).Validate(); stockbell.ErrorField(err) != "public_url" {
		t.Errorf("relative public URL: %v", err)
	}
}

func TestParseSMTPURL(t *testing.T) {
	cases := []struct {
		raw  string
		want string // host:port security user, or "error"
	}{
		{"smtp://u:p%40ss@mail.example:587", "mail.example:587 starttls u"},
		{"smtp://mail.example", "mail.example:587 starttls "},
		{"smtps://u:p@mail.example", "mail.example:465 implicit u"},
		{"smtp://localhost:1025?tls=none", "localhost:1025 none "},
		{"smtps://mail.example?tls=none", "error"},
		{"http://mail.example", "error"},
		{"smtp://mail.example:99999", "error"},
		{"smtp://", "error"},
	}
	for _, c := range cases {
		cfg, err := parseSMTPURL(c.raw)
		got := fmt.Sprintf("%s:%d %s %s", cfg.Host, cfg.Port, cfg.Security, cfg.Username)
		if err != nil {
			got = "error"
			if settingOf(err) != "STOCKBELL_SMTP_URL" || strings.Contains(err.Error(), "p@") {
				t.Errorf("%s: error %v must name STOCKBELL_SMTP_URL and hide the password", c.raw, err)
			}
		}
		if got != c.want {
			t.Errorf("parseSMTPURL(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
	if cfg, _ := parseSMTPURL("smtp://u:p%40ss@mail.example"); cfg.Password != "p@ss" {
		t.Errorf("password = %q, want it URL-decoded", cfg.Password)
	}
}

// TestSMTPURLErrorsSayWhatIsWrong: a refused STOCKBELL_SMTP_URL names the
// part that is wrong, the scheme or the tls option, as given, and shows
// no part the operator did not write (an empty "?tls=").
func TestSMTPURLErrorsSayWhatIsWrong(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"ftp://u:secret@mail.example:587", `scheme "ftp": want smtp://user:password@host:587 (STARTTLS), smtps://…:465 (implicit TLS) or smtp://host:25?tls=none (plaintext)`},
		{"smtps://mail.example?tls=none", `tls=none with smtps: want smtp://host:25?tls=none for plaintext, or smtps:// without tls`},
		{"smtp://mail.example?tls=maybe", `tls="maybe": want tls=none (plaintext) or no tls option (STARTTLS)`},
	}
	for _, c := range cases {
		_, err := parseSMTPURL(c.raw)
		if err == nil || settingOf(err) != "STOCKBELL_SMTP_URL" || problemOf(err) != c.want {
			t.Errorf("parseSMTPURL(%q) = %v, want STOCKBELL_SMTP_URL: %s", c.raw, err, c.want)
		}
	}
}

func problemOf(err error) string {
	var ce *configError
	if errors.As(err, &ce) {
		return ce.Problem
	}
	return ""
}

// TestListenPortErrorsNameTheirSetting: a port that is not a number is
// refused naming the variable it came from, not the public URL derived
// from it.
func TestListenPortErrorsNameTheirSetting(t *testing.T) {
	for setting, vars := range map[string]map[string]string{
		"STOCKBELL_ADDR": {"STOCKBELL_ADDR": ":abc"},
		"PORT":           {"STOCKBELL_ADDR": "", "PORT": "abc"},
	} {
		if _, err := LoadConfig(testEnv(t, vars)); settingOf(err) != setting {
			t.Errorf("%v: want an error naming %s, got %v", vars, setting, err)
		}
	}
	for _, vars := range []map[string]string{{"STOCKBELL_ADDR": ":99999"}, {"STOCKBELL_ADDR": "", "PORT": "70000"}} {
		if _, err := LoadConfig(testEnv(t, vars)); err == nil {
			t.Errorf("%v: accepted", vars)
		}
	}
	if cfg, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_ADDR": "", "PORT": "3457"})); err != nil || cfg.Addr != "127.0.0.1:3457" {
		t.Fatalf("PORT=3457 in development: %v, %v", cfg, err)
	}
}

// TestDevelopmentListensOnLoopbackByDefault: a development server, whose
// start page, demo admin and /metrics need no sign-in, listens on loopback
// unless told otherwise; a production server on every interface.
func TestDevelopmentListensOnLoopbackByDefault(t *testing.T) {
	for _, c := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"STOCKBELL_ADDR": ""}, "127.0.0.1:8080"},
		{map[string]string{"STOCKBELL_ADDR": ":9000"}, ":9000"},
		{map[string]string{"STOCKBELL_ADDR": "", "STOCKBELL_PUBLIC_URL": "https://app.example"}, ":8080"},
		{map[string]string{"STOCKBELL_ADDR": "", "PORT": "3457", "STOCKBELL_PUBLIC_URL": "https://app.example"}, ":3457"},
	} {
		cfg, err := LoadConfig(testEnv(t, c.vars))
		if err != nil || cfg.Addr != c.want {
			t.Errorf("%v: listens on %v (%v), want %s", c.vars, cfg, err, c.want)
		}
	}
}

// TestPublicURLIsAnOrigin: links and callbacks are the public URL followed
// by a route's path, and routes are served at the root, so a public URL
// with a path, query, fragment or credentials is refused naming the setting
// rather than accepted to make every link wrong.
func TestPublicURLIsAnOrigin(t *testing.T) {
	for _, raw := range []string{"https://app.example/stockbell", "https://app.example/?x=1", "https://app.example?", "https://app.example/#top",
		"https://user:pw@app.example", "http://localhost:8080/sub"} {
		if _, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_PUBLIC_URL": raw, "STOCKBELL_ENV": "", "STOCKBELL_ADDR": ":8080"})); settingOf(err) != "STOCKBELL_PUBLIC_URL" {
			t.Errorf("%s: want an error naming STOCKBELL_PUBLIC_URL, got %v", raw, err)
		}
	}
	for raw, want := range map[string]string{"https://app.example/": "https://app.example", "https://app.example:8443": "https://app.example:8443",
		"http://localhost:8080//": "http://localhost:8080",
		// Scheme and host in lower case, as browsers send an Origin and as
		// a platform's allowed redirect URLs are compared.
		"HTTPS://Stockbell.Example.com/": "https://stockbell.example.com", "http://LocalHost:8080": "http://localhost:8080"} {
		if cfg, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_PUBLIC_URL": raw})); err != nil || cfg.PublicURL != want {
			t.Errorf("%s: got %v, %v; want %s", raw, cfg, err, want)
		}
	}
}

// TestLogSettingsReadInAnyCase: STOCKBELL_LOG_FORMAT is read in any case,
// as STOCKBELL_LOG_LEVEL is; anything else is refused, named.
func TestLogSettingsReadInAnyCase(t *testing.T) {
	for value, want := range map[string]string{"JSON": "json", "Json": "json", "TEXT": "text", " json ": "json"} {
		cfg, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_LOG_FORMAT": value, "STOCKBELL_LOG_LEVEL": "WARN"}))
		if err != nil || cfg.LogFormat != want {
			t.Errorf("STOCKBELL_LOG_FORMAT=%q: %v, %v; want %s", value, cfg, err, want)
		}
	}
	if _, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_LOG_FORMAT": "logfmt"})); settingOf(err) != "STOCKBELL_LOG_FORMAT" {
		t.Errorf("STOCKBELL_LOG_FORMAT=logfmt: want an error naming it, got %v", err)
	}
}

// TestSMTPURLWithWhitespaceSaysSo: a STOCKBELL_SMTP_URL with whitespace
// around it (a secrets file's trailing newline) is refused, as README.md
// says, with an error that names the whitespace rather than a scheme or
// option the value seems to have right.
func TestSMTPURLWithWhitespaceSaysSo(t *testing.T) {
	for _, raw := range []string{"smtp://smtp.example:25?tls=none ", "smtps://u:p@smtp.example:465\n", " smtp://smtp.example"} {
		_, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_SMTP_URL": raw, "STOCKBELL_EMAIL_FROM": "alerts@bell.example"}))
		if settingOf(err) != "STOCKBELL_SMTP_URL" || !strings.Contains(err.Error(), "whitespace") || strings.Contains(err.Error(), ":p@") {
			t.Errorf("%q: %v", raw, err)
		}
	}
}

// TestConfigErrorsNameTheSettingOnce: the one line a wrong setting stops a
// command with names the setting, then says what is wrong, without naming
// it again.
func TestConfigErrorsNameTheSettingOnce(t *testing.T) {
	for setting, vars := range map[string]map[string]string{
		"BIGCOMMERCE_CLIENT_SECRET":   {"BIGCOMMERCE_CLIENT_ID": "id"},
		"SHOPIFY_API_SECRET":          {"SHOPIFY_API_KEY": "key"},
		"STOCKBELL_TWILIO_AUTH_TOKEN": {"STOCKBELL_TWILIO_ACCOUNT_SID": "AC1"},
		"STOCKBELL_WORKERS":           {"STOCKBELL_WORKERS": "0"},
	} {
		code, _, stderr := run(t, testEnv(t, vars), "migrate")
		problem, found := strings.CutPrefix(stderr, "error: "+setting+": ")
		if code != 1 || !found || strings.Contains(problem, setting) {
			t.Errorf("%v: exit %d, %q: want one line naming %s once", vars, code, stderr, setting)
		}
	}
}

// TestShopifyScopesNeedWhatStockbellUses: SHOPIFY_SCOPES (or SCOPES) must
// grant what the catalog sync and the stock webhooks read, products and
// inventory; a write_ scope counts as its read_ one, as Shopify grants it.
// The default passes; read_orders is optional (conversions only). The
// error names the variable the scopes were read from.
func TestShopifyScopesNeedWhatStockbellUses(t *testing.T) {
	app := func(name, scopes string) map[string]string {
		return map[string]string{"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "STOCKBELL_PUBLIC_URL": "https://a", name: scopes}
	}
	refused := map[string][]string{
		"read":                        {"read_products", "read_inventory"},
		"read_products":               {"read_inventory"},
		"read_inventory,read_orders":  {"read_products"},
		"write_orders,read_locations": {"read_products", "read_inventory"},
	}
	for scopes, missing := range refused {
		for _, name := range []string{"SHOPIFY_SCOPES", "SCOPES"} {
			_, err := LoadConfig(testEnv(t, app(name, scopes)))
			if settingOf(err) != name || strings.Contains(err.Error(), "\n") || strings.Count(err.Error(), "SCOPES") != 1 {
				t.Fatalf("%s=%q: want one line naming %s alone, got %v", name, scopes, name, err)
			}
			for _, scope := range missing {
				if !strings.Contains(err.Error(), scope) {
					t.Errorf("%s=%q: %q does not name the missing %s", name, scopes, err, scope)
				}
			}
		}
	}
	// SHOPIFY_SCOPES wins over SCOPES, and is the one named.
	both := app("SHOPIFY_SCOPES", "read_products")
	both["SCOPES"] = "read_products,read_inventory"
	if _, err := LoadConfig(testEnv(t, both)); settingOf(err) != "SHOPIFY_SCOPES" {
		t.Errorf("SHOPIFY_SCOPES missing read_inventory and SCOPES complete: want an error naming SHOPIFY_SCOPES, got %v", err)
	}
	for _, scopes := range []string{"", "read_products,read_inventory", "write_products,write_inventory", "read_products read_inventory write_orders"} {
		if _, err := LoadConfig(testEnv(t, app("SHOPIFY_SCOPES", scopes))); err != nil {
			t.Errorf("SHOPIFY_SCOPES=%q: %v", scopes, err)
		}
	}
}

// TestAppTomlAsksForTheDefaultScopes: shopify.app.toml, which `shopify app
// deploy` publishes and `shopify app dev` passes to the server as SCOPES,
// asks for the scopes the server asks for by default, which start it.
func TestAppTomlAsksForTheDefaultScopes(t *testing.T) {
	toml, err := os.ReadFile("../shopify.app.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^scopes = "([^"]*)"`).FindSubmatch(toml)
	if m == nil {
		t.Fatal("shopify.app.toml has no access_scopes scopes line")
	}
	cfg, err := LoadConfig(testEnv(t, map[string]string{"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "SCOPES": string(m[1])}))
	if err != nil || !reflect.DeepEqual(cfg.Shopify.Scopes, stockbell.DefaultShopifyScopes) {
		t.Fatalf("shopify.app.toml scopes %q: %v, want %v and a server that starts", m[1], err, stockbell.DefaultShopifyScopes)
	}
}

// TestShopifyConfigKnowsTheScopesSetting: the Shopify config carries the
// variable the scopes were read from, which Shopify's refusal of a
// missing scope names; none when neither is set (the default scopes).
func TestShopifyConfigKnowsTheScopesSetting(t *testing.T) {
	for _, c := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"SHOPIFY_SCOPES": "read_products,read_inventory"}, "SHOPIFY_SCOPES"},
		{map[string]string{"SCOPES": "read_products,read_inventory"}, "SCOPES"},
		{map[string]string{"SHOPIFY_SCOPES": "read_products,read_inventory", "SCOPES": "read_products,read_inventory,read_orders"}, "SHOPIFY_SCOPES"},
		{map[string]string{}, ""},
	} {
		vars := map[string]string{"SHOPIFY_API_KEY": "k", "SHOPIFY_API_SECRET": "s", "STOCKBELL_PUBLIC_URL": "https://a"}
		for k, v := range c.vars {
			vars[k] = v
		}
		cfg, err := LoadConfig(testEnv(t, vars))
		if err != nil {
			t.Fatalf("%v: %v", c.vars, err)
		}
		if cfg.Shopify.ScopesSetting != c.want {
			t.Errorf("%v: ScopesSetting = %q, want %q", c.vars, cfg.Shopify.ScopesSetting, c.want)
		}
	}
}

// TestDataDirErrorsNameIt: when the data directory cannot be made (here
// it would be below a regular file), serve and migrate name
// STOCKBELL_DATA_DIR, which the operator set, rather than
// STOCKBELL_SECRET_KEY or STOCKBELL_DATABASE_URL, which were left unset
// and only default to files in it. A database URL that is set is still
// the one named.
func TestDataDirErrorsNameIt(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	below := filepath.Join(file, "data")
	key := strings.Repeat("k", 32)
	cases := []struct {
		name    string
		vars    map[string]string
		command string
		setting string
	}{
		{"development key", map[string]string{"STOCKBELL_DATA_DIR": below}, "serve", "STOCKBELL_DATA_DIR"},
		{"default database", map[string]string{"STOCKBELL_DATA_DIR": below, "STOCKBELL_SECRET_KEY": key}, "serve", "STOCKBELL_DATA_DIR"},
		{"default database, migrate", map[string]string{"STOCKBELL_DATA_DIR": below}, "migrate", "STOCKBELL_DATA_DIR"},
		{"database URL set", map[string]string{"STOCKBELL_DATABASE_URL": filepath.Join(below, "x.db")}, "migrate", "STOCKBELL_DATABASE_URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, testEnv(t, c.vars), c.command)
			if code != 1 || !strings.HasPrefix(stderr, "error: "+c.setting+": ") || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("%s: want exit 1 and one line naming %s first, got %d and %q", c.command, c.setting, code, stderr)
			}
		})
	}
}

// TestMetricsAddrOfItsOwn: STOCKBELL_METRICS_ADDR on the public listener's
// port (the same address, or either one on every interface) is refused
// naming both settings, rather than failing at start with "address
// already in use" while nothing else holds it. Port 0 (any free port) on
// both, and different ports, are fine.
func TestMetricsAddrOfItsOwn(t *testing.T) {
	clashes := []struct{ addr, port, metrics, setting string }{
		{"127.0.0.1:9090", "", "127.0.0.1:9090", "STOCKBELL_ADDR"},
		{":9090", "", "127.0.0.1:9090", "STOCKBELL_ADDR"},
		{"10.0.0.5:9090", "", "0.0.0.0:9090", "STOCKBELL_ADDR"},
		{"", "9090", "[::]:9090", "PORT"},
	}
	for _, c := range clashes {
		_, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_ADDR": c.addr, "PORT": c.port, "STOCKBELL_METRICS_ADDR": c.metrics}))
		if settingOf(err) != "STOCKBELL_METRICS_ADDR" || !strings.Contains(err.Error(), c.setting) {
			t.Errorf("%s=%s%s and STOCKBELL_METRICS_ADDR=%s: want an error naming STOCKBELL_METRICS_ADDR and %s, got %v",
				c.setting, c.addr, c.port, c.metrics, c.setting, err)
		}
	}
	for addr, metrics := range map[string]string{"127.0.0.1:0": "127.0.0.1:0", ":8080": "127.0.0.1:9090", "127.0.0.1:9090": "127.0.0.2:9090"} {
		if _, err := LoadConfig(testEnv(t, map[string]string{"STOCKBELL_ADDR": addr, "STOCKBELL_METRICS_ADDR": metrics})); err != nil {
			t.Errorf("STOCKBELL_ADDR=%s and STOCKBELL_METRICS_ADDR=%s: %v", addr, metrics, err)
		}
	}
}

// TestEveryWrongGeneralSettingIsReported: every general setting set wrong
// at once (two or three of them read by one step: the worker count and the
// two durations, the two rate limits, the metrics address and token, the
// two secret keys) is reported, one line each in the order the settings
// are read, where a step stopped at its first wrong setting.
func TestEveryWrongGeneralSettingIsReported(t *testing.T) {
	bad := []struct{ setting, value string }{
		{"STOCKBELL_WORKERS", "many"},
		{"STOCKBELL_SHUTDOWN_TIMEOUT", "soon"},
		{"STOCKBELL_MIGRATION_LOCK_WAIT", "15"},
		{"STOCKBELL_LOG_LEVEL", "loud"},
		{"STOCKBELL_TRUSTED_PROXIES", "not-a-cidr"},
		{"STOCKBELL_RATE_LIMIT_IP", "lots"},
		{"STOCKBELL_RATE_LIMIT_CONTACT", "lots"},
		{"STOCKBELL_METRICS_ADDR", "nonsense"},
		{"STOCKBELL_METRICS_TOKEN", "short"},
		{"STOCKBELL_FEED_MAX_BYTES", "lots"},
		{"STOCKBELL_RECEIPT_RETENTION", "1s"},
		{"STOCKBELL_SECRET_KEY", "short"},
		{"STOCKBELL_SECRET_KEY_PREVIOUS", "also short"},
	}
	vars := map[string]string{}
	for _, b := range bad {
		vars[b.setting] = b.value
	}
	code, _, stderr := run(t, testEnv(t, vars), "migrate")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || len(lines) != len(bad) {
		t.Fatalf("exit %d, want 1 and %d lines, got %q", code, len(bad), stderr)
	}
	for i, b := range bad {
		if !strings.HasPrefix(lines[i], "error: "+b.setting+": ") {
			t.Errorf("line %d: %q, want the error of %s", i+1, lines[i], b.setting)
		}
	}
}

// TestEveryWrongProviderSettingIsReported: every setting of a configured
// app or provider set wrong at once (BigCommerce's secret, hosts and app
// id, Shopify's secret, admin URL and
// scopes, the SMS STOP policy, every SMTP and Twilio setting) is reported,
// one line each in the order they are read, where each stopped at its
// first wrong setting.
func TestEveryWrongProviderSettingIsReported(t *testing.T) {
	bad := []struct{ setting, value string }{
		{"BIGCOMMERCE_CLIENT_SECRET", ""},
		{"STOCKBELL_BIGCOMMERCE_LOGIN_URL", "login.example"},
		{"STOCKBELL_BIGCOMMERCE_API_URL", "api.example"},
		{"STOCKBELL_BIGCOMMERCE_APP_ID", "stockbell"},
		{"SHOPIFY_API_SECRET", ""},
		{"STOCKBELL_SHOPIFY_ADMIN_URL", "https://admin.example"},
		{"SHOPIFY_SCOPES", "read_orders"},
		{"STOCKBELL_SMS_STOP", "never"},
		{"STOCKBELL_SMTP_URL", "ftp://mail.example"},
		{"STOCKBELL_EMAIL_FROM", "nobody"},
		{"STOCKBELL_SMTP_MAX_SESSIONS", "0"},
		{"STOCKBELL_SMTP_BURST", "0"},
		{"STOCKBELL_SMTP_RATE", "0"},
		{"STOCKBELL_TWILIO_AUTH_TOKEN", ""},
		{"STOCKBELL_TWILIO_FROM", ""},
		{"STOCKBELL_TWILIO_API_URL", "ftp://api.example"},
		{"STOCKBELL_TWILIO_RATE", "0"},
	}
	vars := map[string]string{"BIGCOMMERCE_CLIENT_ID": "id", "SHOPIFY_API_KEY": "key", "STOCKBELL_TWILIO_ACCOUNT_SID": "AC1"}
	for _, b := range bad {
		vars[b.setting] = b.value
	}
	code, _, stderr := run(t, testEnv(t, vars), "serve")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || len(lines) != len(bad) {
		t.Fatalf("exit %d, want 1 and %d lines, got %q", code, len(bad), stderr)
	}
	for i, b := range bad {
		if !strings.HasPrefix(lines[i], "error: "+b.setting+": ") {
			t.Errorf("line %d: %q, want the error of %s", i+1, lines[i], b.setting)
		}
	}
}

// TestEveryConfigErrorIsReportedAtOnce: several wrong settings stop a
// command with one line each, every one naming its variable (a JSON record
// each with STOCKBELL_LOG_FORMAT=json), so that an operator fixes them all
// in one go; the exit code is still 1.
func TestEveryConfigErrorIsReportedAtOnce(t *testing.T) {
	bad := map[string]string{"STOCKBELL_WORKERS": "many", "STOCKBELL_LOG_LEVEL": "loud", "STOCKBELL_ENV": "staging",
		"STOCKBELL_RECEIPT_RETENTION": "1s"}
	want := []string{"STOCKBELL_WORKERS", "STOCKBELL_LOG_LEVEL", "STOCKBELL_RECEIPT_RETENTION", "STOCKBELL_ENV"}
	code, _, stderr := run(t, testEnv(t, bad), "migrate")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || len(lines) != len(want) {
		t.Fatalf("exit %d, want 1 and %d lines, got %q", code, len(want), stderr)
	}
	for i, setting := range want {
		if !strings.HasPrefix(lines[i], "error: "+setting+": ") {
			t.Errorf("line %d: %q, want the error of %s", i+1, lines[i], setting)
		}
	}
	bad["STOCKBELL_LOG_FORMAT"] = "json"
	code, _, stderr = run(t, testEnv(t, bad), "serve")
	lines = strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || len(lines) != len(want) {
		t.Fatalf("json: exit %d, want 1 and %d lines, got %q", code, len(want), stderr)
	}
	for i, setting := range want {
		var record struct{ Level, Setting string }
		if err := json.Unmarshal([]byte(lines[i]), &record); err != nil || record.Level != "ERROR" || record.Setting != setting {
			t.Errorf("json line %d: %q, want an ERROR record of %s", i+1, lines[i], setting)
		}
	}
}
