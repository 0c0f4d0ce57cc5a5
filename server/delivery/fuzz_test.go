package delivery_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
)

// FuzzSignedLinks: unsubscribe and confirmation tokens and short link codes from anywhere
// never make the parsers panic; what parses was signed with the key (it
// signs back to the same text).
func FuzzSignedLinks(f *testing.F) {
	signer, _ := delivery.NewSigner(testKey)
	f.Add(signer.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: 21, ShopID: 7, Channel: stockbell.ChannelSMS}))
	f.Add(signer.UnsubscribeToken(delivery.UnsubscribeToken{SubscriptionID: 1, ShopID: 1}))
	f.Add(signer.LinkCode(42))
	soon := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Add(signer.ConfirmationToken(delivery.ConfirmationToken{ConfirmationID: 9, ShopID: 3, Expires: soon}))
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		if tok, err := signer.ParseUnsubscribeToken(s); err == nil {
			if again := signer.UnsubscribeToken(tok); again != s {
				t.Fatalf("token %q parsed as %+v, which signs as %q", s, tok, again)
			}
		} else if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("token error %v", err)
		}
		if tok, err := signer.ParseConfirmationToken(s, soon.Add(-time.Hour)); err == nil {
			if again := signer.ConfirmationToken(tok); again != s {
				t.Fatalf("confirmation token %q parsed as %+v, which signs as %q", s, tok, again)
			}
		} else if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("confirmation token error %v", err)
		}
		if id, err := signer.ParseLinkCode(s); err == nil {
			if again := signer.LinkCode(id); again != s {
				t.Fatalf("code %q parsed as %d, which signs as %q", s, id, again)
			}
		}
	})
}
