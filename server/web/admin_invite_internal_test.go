package web

import (
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestInviteSentNoticeNamesTheLinksLifetime: the notice after an
// invitation says how long its link works as stockbell.SignInLinkTTL has
// it, as the invitation email does, so the two cannot drift apart.
func TestInviteSentNoticeNamesTheLinksLifetime(t *testing.T) {
	if got, want := notices["invite_sent"], inviteSentNotice(stockbell.SignInLinkTTL); got != want {
		t.Fatalf("the invite_sent notice = %q, want %q (SignInLinkTTL)", got, want)
	}
	for ttl, want := range map[time.Duration]string{
		time.Minute:      "within 1 minute.",
		15 * time.Minute: "within 15 minutes.",
		90 * time.Minute: "within 90 minutes.",
	} {
		if got := inviteSentNotice(ttl); !strings.HasPrefix(got, "Invitation sent: ") || !strings.HasSuffix(got, want) {
			t.Errorf("the notice for a %s link = %q, want it to end %q", ttl, got, want)
		}
	}
}
