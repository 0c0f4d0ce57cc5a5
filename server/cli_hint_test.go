package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProgramAsRun: a hint names the program as the operator started it:
// the binary by the path they typed, or `go run ./server` for the
// executable go run builds in a go-build directory of its temporary
// directory (GOTMPDIR's, wherever that is).
func TestProgramAsRun(t *testing.T) {
	for arg0, want := range map[string]string{
		"/tmp/go-build2870123/b001/exe/server":              "go run ./server",
		"/home/ops/.cache/gotmp/go-build42/b001/exe/server": "go run ./server",
		"./stockbell":               "./stockbell",
		"/usr/local/bin/stockbell":  "/usr/local/bin/stockbell",
		"stockbell":                 "stockbell",
		"/opt/go-builder/stockbell": "/opt/go-builder/stockbell",
		"":                          "stockbell",
	} {
		if got := programAsRun(arg0); got != want {
			t.Errorf("programAsRun(%q) = %q, want %q", arg0, got, want)
		}
	}
}

// TestHintsNameTheCommandAsRun: every error that names a command to run
// names it as this process was run (here the test binary go test built,
// which programAsRun reads as go run's).
func TestHintsNameTheCommandAsRun(t *testing.T) {
	program := programAsRun(os.Args[0])
	if strings.Contains(os.Args[0], string(filepath.Separator)+"go-build") && program != "go run ./server" {
		t.Fatalf("test binary %s read as %q", os.Args[0], program)
	}
	getenv := testEnv(t, nil)
	if code, _, stderr := run(t, getenv, "shop", "list"); code == 0 || !strings.Contains(stderr, "`"+program+" migrate`") {
		t.Errorf("no database: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	if _, _, stderr := run(t, getenv, "settings", "get", "--shop", "nowhere.example.com"); !strings.Contains(stderr, "(see: "+program+" shop list)") {
		t.Errorf("unknown shop: %q", stderr)
	}
	if code, _, stderr := run(t, getenv, "shop", "add", "--platform", "feed", "--domain", "shop.example.com", "--feed-url", "https://shop.example.com/feed.json"); code != 0 {
		t.Fatal(stderr)
	}
	if _, _, stderr := run(t, getenv, "apikey", "revoke", "--shop", "shop.example.com", "--id", "99"); !strings.Contains(stderr, "(see: "+program+" apikey list --shop shop.example.com)") {
		t.Errorf("unknown API key: %q", stderr)
	}
}
