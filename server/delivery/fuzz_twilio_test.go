package delivery_test

import (
	"encoding/base64"
	"net/url"
	"slices"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
)

// FuzzTwilioInbound: whatever path, form and X-Twilio-Signature an
// inbound-message request carries, the verifier never panics; it accepts
// exactly the signature Twilio makes for the public URL, that path and
// that form (a base64 HMAC-SHA1, whichever order the parameters came in
// and however often a value repeats) and refuses any other as
// EUNAUTHORIZED; and without an auth token it accepts nothing.
func FuzzTwilioInbound(f *testing.F) {
	// Twilio's documented example (see TestTwilioSignatureMatchesTwiliosExamples).
	f.Add("/myapp.php?foo=1&bar=2", "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
	f.Add("/webhooks/twilio/sms", "From=%2B447700900123&To=%2B15005550006&Body=YES&MessageSid=SM123&AccountSid=AC123", "")
	f.Add("/webhooks/twilio/sms?x=%zz", "Body=oui%21&Body=YES&Body=oui%21", "not base64")
	f.Add("", "a=1;b=2&=&%", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	const token = "12345"
	inbound := &delivery.TwilioInbound{AuthToken: token, PublicURL: "https://mycompany.com/"}
	f.Fuzz(func(t *testing.T, requestURI, body, signature string) {
		form, _ := url.ParseQuery(body) // what parses: Go's form reader keeps the same
		genuine := delivery.TwilioSignature(token, "https://mycompany.com"+requestURI, form)
		if raw, err := base64.StdEncoding.DecodeString(genuine); err != nil || len(raw) != 20 {
			t.Fatalf("signature %q is not a base64 HMAC-SHA1", genuine)
		}
		if err := inbound.Verify(requestURI, form, genuine); err != nil {
			t.Fatalf("Twilio's signature of %q %q refused: %v", requestURI, body, err)
		}
		if err := inbound.Verify(requestURI, form, signature); signature != genuine && stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("signature %q of %q %q (Twilio's is %q): %v, want EUNAUTHORIZED", signature, requestURI, body, genuine, err)
		}
		if got := delivery.TwilioSignature(token, "https://mycompany.com"+requestURI, reordered(form)); got != genuine {
			t.Fatalf("the same parameters in another order sign as %q, not %q", got, genuine)
		}
		unset := &delivery.TwilioInbound{PublicURL: inbound.PublicURL}
		if err := unset.Verify(requestURI, form, delivery.TwilioSignature("", "https://mycompany.com"+requestURI, form)); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("without an auth token a request was accepted: %v", err)
		}
	})
}

// reordered is form with each parameter's values reversed and repeated.
func reordered(form url.Values) url.Values {
	out := url.Values{}
	for name, values := range form {
		back := slices.Clone(values)
		slices.Reverse(back)
		out[name] = append(back, back...)
	}
	return out
}
