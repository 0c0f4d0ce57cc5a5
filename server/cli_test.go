package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestErrorsFollowTheLogFormat: with STOCKBELL_LOG_FORMAT=json the error a
// command ends with, a bad setting at start included, is one JSON log line
// (level ERROR, the setting in a field of its own), so that a collector
// parsing the server's JSON lines keeps it; the exit code is still 1.
// Without it, or with a format the configuration refuses, it is the plain
// "error: …" line.
func TestErrorsFollowTheLogFormat(t *testing.T) {
	bad := map[string]string{"STOCKBELL_WORKERS": "many", "STOCKBELL_LOG_FORMAT": "JSON"}
	for _, args := range [][]string{{"serve"}, {"migrate"}, {"shop", "list"}} {
		code, _, stderr := run(t, testEnv(t, bad), args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		var record struct{ Level, Msg, Setting, Problem string }
		if code != 1 || len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &record) != nil {
			t.Fatalf("%v: exit %d, want 1 and one JSON line, got %q", args, code, stderr)
		}
		if record.Level != "ERROR" || record.Setting != "STOCKBELL_WORKERS" || !strings.Contains(record.Problem, `got "many"`) ||
			!strings.Contains(record.Msg, "STOCKBELL_WORKERS") {
			t.Errorf("%v: record %+v from %q", args, record, stderr)
		}
	}
	// A format refused is a wrong setting of its own: a line of its own.
	for format, lines := range map[string]int{"": 1, "text": 1, "logfmt": 2} {
		code, _, stderr := run(t, testEnv(t, map[string]string{"STOCKBELL_WORKERS": "many", "STOCKBELL_LOG_FORMAT": format}), "serve")
		if code != 1 || !strings.HasPrefix(stderr, "error: STOCKBELL_") || strings.Count(stderr, "\n") != lines ||
			strings.Count(stderr, "error: STOCKBELL_") != lines {
			t.Errorf("STOCKBELL_LOG_FORMAT=%q: exit %d, %q", format, code, stderr)
		}
	}
}

// TestEveryHelpDescribesItsCommand: the help of every command and action
// says what it does, in a line of its own after the usage lines, as
// `stockbell backup --help` does; the flags, if any, come after it.
func TestEveryHelpDescribesItsCommand(t *testing.T) {
	for _, args := range [][]string{{"serve"}, {"migrate"}, {"backup"}, {"shop"}, {"shop", "list"}, {"shop", "add"},
		{"feed"}, {"feed", "sync"}, {"settings"}, {"settings", "get"}, {"settings", "set"}, {"admin"}, {"admin", "link"},
		{"apikey"}, {"apikey", "create"}, {"apikey", "list"}, {"apikey", "revoke"}, {"version"}} {
		code, stdout, stderr := run(t, testEnv(t, nil), append(args, "--help")...)
		usage, rest, _ := strings.Cut(stdout, "\n\n")
		description, _, _ := strings.Cut(rest, "\n")
		if code != 0 || !strings.HasPrefix(usage, "Usage: stockbell "+strings.Join(args, " ")) ||
			strings.TrimSpace(description) == "" || strings.HasPrefix(strings.TrimSpace(description), "-") {
			t.Errorf("%v --help: exit %d, no description line after the usage: %q %q", args, code, stdout, stderr)
		}
	}
}

// TestCommandHelpNamesItsActionsFlags: the usage `stockbell help
// COMMAND` prints names every flag the usage lines of its actions name
// (`settings set --help`'s quiet hours among them), so that reading the
// command's help is enough to find an action's flag.
func TestCommandHelpNamesItsActionsFlags(t *testing.T) {
	flagName := regexp.MustCompile(`--[a-z][a-z-]*`)
	for command, actions := range map[string][]string{"shop": {"list", "add"}, "feed": {"sync"}, "settings": {"get", "set"},
		"admin": {"link"}, "apikey": {"create", "list", "revoke"}} {
		_, help, _ := run(t, testEnv(t, nil), "help", command)
		commandUsage, _, _ := strings.Cut(help, "\n\n")
		for _, action := range actions {
			_, actionHelp, _ := run(t, testEnv(t, nil), command, action, "--help")
			actionUsage, _, _ := strings.Cut(actionHelp, "\n\n")
			for _, flag := range flagName.FindAllString(actionUsage, -1) {
				if !strings.Contains(commandUsage, flag+" ") && !strings.Contains(commandUsage, flag+"[") && !strings.Contains(commandUsage, flag+"]") {
					t.Errorf("help %s does not name %s %s's flag %s:\n%s", command, command, action, flag, commandUsage)
				}
			}
		}
	}
}

// TestShopListHelpNamesEveryPlatform: the platforms `shop list --help`
// offers are those --platform accepts, the development demo shop's
// included, and an unknown one is refused naming them.
func TestShopListHelpNamesEveryPlatform(t *testing.T) {
	_, help, _ := run(t, testEnv(t, nil), "shop", "list", "--help")
	code, _, stderr := run(t, testEnv(t, nil), "shop", "list", "--platform", "shopfy")
	for _, p := range []stockbell.Platform{stockbell.PlatformShopify, stockbell.PlatformBigCommerce, stockbell.PlatformMagento,
		stockbell.PlatformPrestaShop, stockbell.PlatformFeed, stockbell.PlatformDemo} {
		if !p.Valid() || !strings.Contains(help, string(p)) {
			t.Errorf("--platform accepts %q, which shop list --help does not name:\n%s", p, help)
		}
		if code != 1 || !strings.Contains(stderr, string(p)) {
			t.Errorf("--platform shopfy: exit %d, %q does not name %q", code, stderr, p)
		}
	}
}

// TestUsageErrorsFollowTheLogFormat: with STOCKBELL_LOG_FORMAT=json a
// usage error, as any error a command stops with, is one JSON log record
// on standard error (level ERROR, the reason as its message, the usage in
// a field of its own), so that a collector parsing every line keeps it;
// the exit code is still 2. In text it stays the reason then the usage.
func TestUsageErrorsFollowTheLogFormat(t *testing.T) {
	inJSON := testEnv(t, map[string]string{"STOCKBELL_LOG_FORMAT": "json"})
	for _, c := range []struct {
		args   []string
		reason string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"shop"}, "no shop command given"},
		{[]string{"shop", "frob"}, `unknown shop command "frob"`},
		{[]string{"settings", "get"}, "--shop is required"},
		{[]string{"settings", "set", "--shop", "d.example.com"}, "nothing to set"},
		{[]string{"settings", "set", "--shop", "d.example.com", "--wait", "2d"}, "want a Go duration"},
		{[]string{"migrate", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"migrate", "stray"}, `unexpected argument "stray"`},
	} {
		code, stdout, stderr := run(t, inJSON, c.args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		var record struct{ Level, Msg, Usage string }
		if code != 2 || stdout != "" || len(lines) != 1 || jsonUnmarshal(lines[0], &record) != nil {
			t.Errorf("%v: exit %d, want 2 and one JSON line on stderr, got stdout %q, stderr %q", c.args, code, stdout, stderr)
			continue
		}
		if record.Level != "ERROR" || !strings.Contains(record.Msg, c.reason) || !strings.Contains(record.Usage, "stockbell") {
			t.Errorf("%v: record %+v", c.args, record)
		}
		code, _, stderr = run(t, testEnv(t, nil), c.args...)
		if code != 2 || !strings.Contains(strings.SplitN(stderr, "\n", 2)[0], c.reason) || !strings.Contains(stderr, "Usage") {
			t.Errorf("%v in text: exit %d, stderr %q", c.args, code, stderr)
		}
	}
}

func jsonUnmarshal(line string, v any) error { return json.Unmarshal([]byte(line), v) }
