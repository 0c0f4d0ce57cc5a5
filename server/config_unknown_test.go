package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestKnownSettingsAreTheOnesNamed: the settings not warned of are exactly
// the STOCKBELL_ variables the server's sources name (each getenv("…") in
// config*.go among them, and those read through a table or a helper), so
// that a setting added without being listed is caught here rather than
// warned of as unknown in production.
func TestKnownSettingsAreTheOnesNamed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	literal := regexp.MustCompile(`"(STOCKBELL_[A-Z0-9_]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "config_unknown.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			named[m[1]] = true
		}
	}
	var want []string
	for name := range named {
		want = append(want, name)
	}
	sort.Strings(want)
	got := append([]string(nil), knownSettings...)
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("knownSettings = %v\nthe sources name %v", got, want)
	}
}

// TestClosestSetting: a name a typing slip away from a setting (a letter
// left out, added, replaced, or two swapped) is paired with it; a name far
// from every setting is not.
func TestClosestSetting(t *testing.T) {
	for name, want := range map[string]string{
		"STOCKBELL_DATABSE_URL":  "STOCKBELL_DATABASE_URL",
		"STOCKBELL_ADR":          "STOCKBELL_ADDR",
		"STOCKBELL_SECRETKEY":    "STOCKBELL_SECRET_KEY",
		"STOCKBELL_LOGLEVEL":     "STOCKBELL_LOG_LEVEL",
		"STOCKBELL_PUBLIC_ULR":   "STOCKBELL_PUBLIC_URL",
		"STOCKBELL_SMTP_HOST":    "",
		"STOCKBELL_COLOUR":       "",
		"STOCKBELL_DATABASE_URI": "STOCKBELL_DATABASE_URL",
		// Two letters swapped are one slip, in short names too.
		"STOCKBELL_WORKRES": "STOCKBELL_WORKERS",
		"STOCKBELL_EVN":     "STOCKBELL_ENV",
		"STOCKBELL_ADRD":    "STOCKBELL_ADDR",
	} {
		if got := closestSetting(name); got != want {
			t.Errorf("closest to %s = %q, want %q", name, got, want)
		}
	}
}

// TestUnknownSettingsAreWarnedOfAtStart: a command warns once of each
// STOCKBELL_ variable the configuration does not read, naming it and the
// setting it is closest to, and never printing its value. The variables
// the project's tests and benchmarks read, and the settings themselves,
// are not warned of.
func TestUnknownSettingsAreWarnedOfAtStart(t *testing.T) {
	environ := []string{
		"STOCKBELL_DATABSE_URL=postgres://stockbell:hunter2@db/stockbell",
		"STOCKBELL_COLOUR=blue-secret",
		"STOCKBELL_DATA_DIR=/somewhere", "STOCKBELL_LOG_FORMAT=json", "PATH=/usr/bin", "STOCKBELL=1",
		"STOCKBELL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1/test", "STOCKBELL_TEST_ARTIFACTS=/tmp/a",
		"STOCKBELL_BENCH_SUBSCRIBERS=1000", "STOCKBELL_BENCH_FULL=1", "STOCKBELL_CHROMIUM=/usr/bin/chromium",
		"STOCKBELL_FUZZ_TIME=15s",
	}
	getenv := testEnv(t, map[string]string{"STOCKBELL_LOG_FORMAT": "json"})
	for _, command := range []string{"migrate", "version"} {
		var stdout, stderr bytes.Buffer
		if code := Execute(context.Background(), []string{command}, getenv, environ, &stdout, &stderr); code != 0 {
			t.Fatalf("%s exited %d: %s", command, code, stderr.String())
		}
		var warnings []string
		for _, line := range strings.Split(stderr.String(), "\n") {
			if line == "" {
				continue
			}
			var record struct {
				Level, Setting string
				DidYouMean     string `json:"did_you_mean"`
			}
			if err := json.Unmarshal([]byte(line), &record); err != nil {
				t.Fatalf("%s: log line %q: %v", command, line, err)
			}
			if record.Level == "WARN" && record.Setting != "" {
				warnings = append(warnings, record.Setting+" "+record.DidYouMean)
			}
		}
		want := []string{"STOCKBELL_COLOUR ", "STOCKBELL_DATABSE_URL STOCKBELL_DATABASE_URL"}
		if !reflect.DeepEqual(warnings, want) {
			t.Errorf("%s warned of %q, want %q", command, warnings, want)
		}
		if strings.Contains(stderr.String(), "hunter2") || strings.Contains(stderr.String(), "blue-secret") {
			t.Errorf("%s printed a value:\n%s", command, stderr.String())
		}
	}
}
