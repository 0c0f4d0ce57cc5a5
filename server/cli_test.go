package main

import (
	"encoding/json"
	"strings"
	"testing"
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
	for _, format := range []string{"", "text", "logfmt"} {
		code, _, stderr := run(t, testEnv(t, map[string]string{"STOCKBELL_WORKERS": "many", "STOCKBELL_LOG_FORMAT": format}), "serve")
		if code != 1 || !strings.HasPrefix(stderr, "error: STOCKBELL_") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("STOCKBELL_LOG_FORMAT=%q: exit %d, %q", format, code, stderr)
		}
	}
}
