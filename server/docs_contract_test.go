package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/jobs"
)

// operatorDocs returns the text of README.md and docs/*.md, where
// operators, merchants and theme developers look.
func operatorDocs(t *testing.T) string {
	t.Helper()
	names, err := filepath.Glob("../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, name := range append(names, "../README.md") {
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(text)
		all.WriteString("\n")
	}
	return all.String()
}

// readVariables returns the environment variables the server's sources
// read by name: every known STOCKBELL_ setting and each other name passed
// to getenv as a literal (PORT, SHOPIFY_*, BIGCOMMERCE_*, SCOPES).
func readVariables(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	names := slices.Clone(knownSettings)
	getenv := regexp.MustCompile(`getenv\("([A-Z][A-Z0-9_]*)"\)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range getenv.FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	return names
}

// TestEveryVariableReadIsDocumented: each environment variable the
// configuration reads is named in README.md or docs/, so that no setting
// is one an operator cannot find.
func TestEveryVariableReadIsDocumented(t *testing.T) {
	docs := operatorDocs(t)
	names := readVariables(t)
	if !slices.Contains(names, "PORT") || !slices.Contains(names, "SHOPIFY_API_KEY") {
		t.Fatalf("found too few variables read: %v", names)
	}
	for _, name := range names {
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(docs) {
			t.Errorf("%s is read by the configuration but named nowhere in README.md or docs/", name)
		}
	}
}

// documentedSetting matches a STOCKBELL_ name in the docs; one ending in
// _ or _* names a family of them (STOCKBELL_SMTP_*).
var documentedSetting = regexp.MustCompile(`STOCKBELL_[A-Z0-9_]+\*?`)

// TestEveryDocumentedSettingIsRead: each STOCKBELL_ name in README.md and
// docs/ is a setting the configuration reads, a family of them
// (STOCKBELL_TWILIO_*), one the project's tests read, or a misspelling the
// docs show being warned of, which must then be a slip away from a
// setting, as the warning says.
func TestEveryDocumentedSettingIsRead(t *testing.T) {
	slips := []string{"STOCKBELL_DATABSE_URL", "STOCKBELL_WORKRES"}
	for _, name := range documentedSetting.FindAllString(operatorDocs(t), -1) {
		family := strings.TrimSuffix(name, "*")
		switch isFamily := strings.HasSuffix(family, "_"); {
		case slices.Contains(slips, name):
			if closestSetting(name) == "" {
				t.Errorf("the docs show %s as a slip, but no setting is close to it", name)
			}
		case isFamily && !slices.ContainsFunc(knownSettings, func(s string) bool { return strings.HasPrefix(s, family) }) && !isKnownSetting(family+"X"):
			t.Errorf("the docs name the settings %s, but none is read", name)
		case !isFamily && !isKnownSetting(name):
			t.Errorf("the docs name %s, which the configuration does not read", name)
		}
	}
}

// TestEveryCommandIsDocumented: each subcommand, each of its action
// words and each of their flags is named in README.md or docs/ (as
// `stockbell COMMAND [ACTION]` and `--FLAG`), as the binary's own usage
// lists them.
func TestEveryCommandIsDocumented(t *testing.T) {
	docs := operatorDocs(t)
	for _, cmd := range commands() {
		actions := actionWords(t, cmd.name)
		if len(actions) == 0 {
			actions = []string{""}
		}
		for _, action := range actions {
			invocation := strings.TrimSpace("stockbell " + cmd.name + " " + action)
			if !strings.Contains(docs, invocation) {
				t.Errorf("%q is documented nowhere", invocation)
			}
			for _, flag := range commandFlags(t, cmd.name, action) {
				if !regexp.MustCompile(`--` + flag + `\b`).MatchString(docs) {
					t.Errorf("%s's flag --%s is documented nowhere", invocation, flag)
				}
			}
		}
	}
}

// actionWords returns the action words a command takes, as it lists them
// when given one it does not know (none for a command without actions).
func actionWords(t *testing.T, command string) []string {
	t.Helper()
	_, stderr := runCommand(t, command, "no-such-action")
	m := regexp.MustCompile(`\(want: ([a-z, ]+)\)`).FindStringSubmatch(stderr)
	if m == nil {
		return nil
	}
	return strings.FieldsFunc(strings.ReplaceAll(m[1], " or ", ","), func(r rune) bool { return r == ',' || r == ' ' })
}

// commandFlags returns the flags of a command's usage (`COMMAND [ACTION]
// --help`).
func commandFlags(t *testing.T, command, action string) []string {
	t.Helper()
	args := []string{command, action, "--help"}
	if action == "" {
		args = []string{command, "--help"}
	}
	stdout, _ := runCommand(t, args...)
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)`).FindAllStringSubmatch(stdout, -1) {
		flags = append(flags, m[1])
	}
	return flags
}

func runCommand(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	Execute(context.Background(), args, testEnv(t, nil), nil, &out, &errOut)
	return out.String(), errOut.String()
}

// TestCommandsDocumentedFindsActionsAndFlags checks the helpers above on
// a command with actions and flags, so that a usage they cannot read does
// not leave the test above checking nothing.
func TestCommandsDocumentedFindsActionsAndFlags(t *testing.T) {
	if got := actionWords(t, "apikey"); !slices.Equal(got, []string{"create", "list", "revoke"}) {
		t.Errorf("apikey's actions: %q", got)
	}
	if got := actionWords(t, "backup"); got != nil {
		t.Errorf("backup's actions: %q", got)
	}
	if got := commandFlags(t, "settings", "set"); !slices.Contains(got, "min-inventory") || !slices.Contains(got, "shop") {
		t.Errorf("settings set's flags: %q", got)
	}
}

// TestEveryRouteIsDocumented: each route of the wired server, every
// platform and provider configured, is named in README.md or docs/, a path
// variable written in any way ({id}, ID, 42). The routes under /admin are
// the admin's pages and the forms on them, which docs/admin.md describes
// by the page's name rather than its path.
func TestEveryRouteIsDocumented(t *testing.T) {
	docs := operatorDocs(t)
	shopify := shopifytest.New(shopifytest.NewClock(time.Now()))
	t.Cleanup(shopify.Close)
	bc := bigcommercetest.New()
	t.Cleanup(bc.Close)
	m := startServer(t, testEnv(t, map[string]string{
		"SHOPIFY_API_KEY": shopify.APIKey, "SHOPIFY_API_SECRET": shopify.Secret, "STOCKBELL_SHOPIFY_ADMIN_URL": shopify.AdminURL(),
		"BIGCOMMERCE_CLIENT_ID": bc.ClientID, "BIGCOMMERCE_CLIENT_SECRET": bc.ClientSecret,
		"STOCKBELL_BIGCOMMERCE_LOGIN_URL": bc.URL(), "STOCKBELL_BIGCOMMERCE_API_URL": bc.URL(),
		"STOCKBELL_TWILIO_ACCOUNT_SID": "AC0123", "STOCKBELL_TWILIO_AUTH_TOKEN": "token", "STOCKBELL_TWILIO_FROM": "+15005550006",
	}))
	routes := m.Web.RouteTemplates()
	if !slices.Contains(routes, "/webhooks/twilio/sms") || !slices.Contains(routes, "/auth/bigcommerce/load") {
		t.Fatalf("the server was not wired with every platform and provider: %v", routes)
	}
	for _, route := range routes {
		if strings.HasPrefix(route, "/admin/") {
			continue
		}
		if !documentedPath(route).MatchString(docs) {
			t.Errorf("route %s is documented nowhere", route)
		}
	}
}

// documentedPath matches a route template as docs write it: each path
// variable any run of characters up to the next slash, the path not
// continued by another segment.
func documentedPath(template string) *regexp.Regexp {
	parts := regexp.MustCompile(`\{[^}]+\}`).Split(template, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(strings.Join(parts, `[^/\s`+"`"+`)]+`) + `(?:$|[^/\w])`)
}

// TestEveryServedSeriesIsDocumented: each stockbell_ series /metrics
// serves (after a first request, so that the HTTP series exist) is named
// in README.md or docs/, and each one README.md names is served, so that
// an operator's dashboards can be built from the docs.
func TestEveryServedSeriesIsDocumented(t *testing.T) {
	docs := operatorDocs(t)
	m := startServer(t, testEnv(t, nil))
	get(t, m.URL()+"/healthz")
	served := servedSeries(t, m)
	if !slices.Contains(served, "stockbell_http_requests_total") || !slices.Contains(served, "stockbell_jobs") {
		t.Fatalf("the scrape served too little: %v", served)
	}
	for _, name := range served {
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(docs) {
			t.Errorf("/metrics serves %s, which README.md and docs/ do not name", name)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range seriesName.FindAllString(string(readme), -1) {
		if !slices.Contains(served, name) {
			t.Errorf("README.md names %s, which /metrics does not serve", name)
		}
	}
}

// documentedLabels is a series written with its label names, as README.md
// and docs/ list them: stockbell_jobs{kind,state}.
var documentedLabels = regexp.MustCompile(`\b(stockbell_[a-z_]+)\{([a-z_]+(?:,[a-z_]+)*)\}`)

// TestDocumentedLabelsAreServed: every series README.md or docs/ writes
// with its label names is served with exactly those labels, so that a
// query or dashboard built from the docs selects and groups by labels the
// series has.
func TestDocumentedLabelsAreServed(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	get(t, m.URL()+"/healthz")
	served := scrape(t, m)
	found := documentedLabels.FindAllStringSubmatch(operatorDocs(t), -1)
	if len(found) < 10 {
		t.Fatalf("the docs write %d series with their labels", len(found))
	}
	for _, doc := range found {
		names := labelNames(served, doc[1])
		var have []string
		for name := range names {
			have = append(have, name)
		}
		slices.Sort(have)
		want := strings.Split(doc[2], ",")
		slices.Sort(want)
		if !slices.Equal(have, want) {
			t.Errorf("the docs write %s, and /metrics serves it with the labels %v", doc[0], have)
		}
	}
}

// servedSeries returns the names of the stockbell_ metric families the
// server's /metrics serves.
func servedSeries(t *testing.T, m *Main) []string {
	t.Helper()
	code, body := get(t, m.URL()+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range families {
		if strings.HasPrefix(name, "stockbell_") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// TestEveryJobKindIsDocumented: the job kinds table of
// docs/architecture.md ("Durable work") lists exactly the job kinds the
// root package declares and the queue's own rerun sweep.
func TestEveryJobKindIsDocumented(t *testing.T) {
	declared := append(declaredJobKinds(t, ".."), jobs.RerunSweepJob{}.Kind())
	slices.Sort(declared)
	text, err := os.ReadFile("../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(text), "\n## Durable work\n")
	section, _, _ = strings.Cut(section, "\n## ")
	var listed []string
	for _, line := range strings.Split(section, "\n") {
		first, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " |")
		if strings.HasPrefix(line, "| `") {
			for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(first, -1) {
				listed = append(listed, m[1])
			}
		}
	}
	slices.Sort(listed)
	if len(declared) < 5 || !slices.Equal(listed, declared) {
		t.Errorf("docs/architecture.md's job kinds:\n%v\nthe root package declares:\n%v", listed, declared)
	}
}

// TestDocsSayHowShopEraseAndDisconnectPickAShop: wherever README.md or
// docs/ give `shop erase --shop` or `shop disconnect --shop`, the same
// paragraph (or line of a code block) says what their help says: when
// shops of several platforms have the domain, --platform or the shop's
// public key picks one, since the command refuses the domain alone.
func TestDocsSayHowShopEraseAndDisconnectPickAShop(t *testing.T) {
	names, err := filepath.Glob("../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	command := regexp.MustCompile(`shop (erase|disconnect) --shop`)
	for _, name := range append(names, "../README.md") {
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, unit := range docUnits(string(text)) {
			if command.MatchString(unit) && (!strings.Contains(unit, "--platform") || !strings.Contains(unit, "public key")) {
				t.Errorf("%s: %q gives the command without saying that --platform or the shop's public key picks one of the shops sharing a domain",
					filepath.Base(name), unit)
			}
		}
	}
}

// docUnits splits Markdown into its prose paragraphs and the single lines
// of its code blocks (each a command of its own, with its comment).
func docUnits(text string) []string {
	var units, paragraph []string
	end := func() {
		if len(paragraph) > 0 {
			units = append(units, strings.Join(paragraph, " "))
			paragraph = nil
		}
	}
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			end()
			inCode = !inCode
		case inCode:
			units = append(units, line)
		case strings.TrimSpace(line) == "":
			end()
		default:
			paragraph = append(paragraph, line)
		}
	}
	end()
	return units
}
