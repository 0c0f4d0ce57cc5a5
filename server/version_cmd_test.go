package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionCommand: `stockbell version` and `stockbell --version` print
// the module's version and the Go version, and exit 0.
func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := run(t, testEnv(t, nil), args...)
		if code != 0 || !strings.HasPrefix(stdout, "stockbell ") || !strings.Contains(stdout, "go1.") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// TestVersionNamesTheRevision: a binary built from a checkout names the
// revision it was built from, and says when the checkout had changes.
func TestVersionNamesTheRevision(t *testing.T) {
	var out strings.Builder
	writeVersion(&out, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-06T05:00:00Z"}, {Key: "vcs.modified", Value: "true"}}})
	want := "stockbell v1.2.0\nrevision 0123abcd (with uncommitted changes), 2026-12-06T05:00:00Z\ngo1.26.8\n"
	if out.String() != want {
		t.Errorf("version:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestVersionRefusesBadArguments: version takes no argument; a stray word
// or an unknown flag is a usage error like any other command's (exit 2,
// the usage on standard error, nothing on standard output).
func TestVersionRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{{"version", "extra"}, {"version", "--bogus"}, {"--version", "extra"}} {
		code, stdout, stderr := run(t, testEnv(t, nil), args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "Usage: stockbell version") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	code, stdout, stderr := run(t, testEnv(t, nil), "version", "--help")
	if code != 0 || !strings.HasPrefix(stdout, "Usage: stockbell version") || stderr != "" {
		t.Errorf("version --help: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
