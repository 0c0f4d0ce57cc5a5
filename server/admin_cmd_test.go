package main

import (
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestAdminLinkHelpNamesTheLinksLifetime: `admin link --help` says how
// long the link stays valid as stockbell.SignInLinkTTL has it, so the
// help cannot drift from the link the command prints.
func TestAdminLinkHelpNamesTheLinksLifetime(t *testing.T) {
	code, help, stderr := run(t, testEnv(t, nil), "admin", "link", "--help")
	if want := "valid " + stockbell.DurationWords(stockbell.SignInLinkTTL) + ","; code != 0 || !strings.Contains(help, want) {
		t.Fatalf("admin link --help: exit %d, %q %q; want it to say %q (SignInLinkTTL)", code, help, stderr, want)
	}
	for ttl, want := range map[time.Duration]string{
		time.Minute:                     "valid 1 minute,",
		15 * time.Minute:                "valid 15 minutes,",
		90 * time.Minute:                "valid 90 minutes,",
		10*time.Minute + 30*time.Second: "valid 10m30s,",
	} {
		if got := adminLinkSynopsis(ttl); !strings.Contains(got, want) {
			t.Errorf("the synopsis for a %s link = %q, want it to say %q", ttl, got, want)
		}
	}
}
