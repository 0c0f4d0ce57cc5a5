package delivery

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestConfirmationRequestedAgainHasItsOwnReference: a confirmation request
// sent again an hour later (the shopper subscribed again) is a new email
// with a Message-ID of its own, which mail services that drop duplicates
// by Message-ID would otherwise drop; a retry of the same request keeps
// its reference.
func TestConfirmationRequestedAgainHasItsOwnReference(t *testing.T) {
	first := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	request := func(requestedAt time.Time) string {
		req := &stockbell.ConfirmationRequest{Confirmation: stockbell.Confirmation{ID: 7, ShopID: 1, Channel: stockbell.ChannelEmail,
			Recipient: "ann@example.com", RequestedAt: requestedAt}}
		out, _ := confirmationMessage(req, "https://bell.test/c/x")
		return out.Reference
	}
	if again, retried := request(first.Add(time.Hour)), request(first); again == retried || retried != request(first) {
		t.Fatalf("references: requested again %q, the first request %q (twice %q): want the first stable and the second different",
			again, retried, request(first))
	}
}
