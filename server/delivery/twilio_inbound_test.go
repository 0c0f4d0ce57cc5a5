package delivery_test

import (
	"net/url"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
)

// Twilio's documented example: auth token 12345, this URL and these POST
// parameters are signed RSOYDt4T1cUTdK1PDd93/VVr8B8= (the vector of
// Twilio's own request validators' tests).
var twilioExample = url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
	"From": {"+14158675309"}, "To": {"+18005551212"}}

const twilioExampleURL = "https://mycompany.com/myapp.php?foo=1&bar=2"

func TestTwilioSignatureMatchesTwiliosExamples(t *testing.T) {
	if got := delivery.TwilioSignature("12345", twilioExampleURL, twilioExample); got != "RSOYDt4T1cUTdK1PDd93/VVr8B8=" {
		t.Errorf("signature of the documented example = %s", got)
	}
	repeated := url.Values{"Sid": {"CA123"}, "SidAccount": {"AC123"}, "Digits": {"5678", "1234", "1234"}}
	if got := delivery.TwilioSignature("12345", twilioExampleURL, repeated); got != "IK+Dwps556ElfBT0I3Rgjkr1wJU=" {
		t.Errorf("signature with a repeated parameter = %s", got)
	}
}

func TestTwilioInboundVerify(t *testing.T) {
	inbound := &delivery.TwilioInbound{AuthToken: "12345", PublicURL: "https://mycompany.com"}
	// Behind a proxy: the request reached us at another address, and is
	// checked against the public URL Twilio signed.
	if err := inbound.Verify("/myapp.php?foo=1&bar=2", twilioExample, "RSOYDt4T1cUTdK1PDd93/VVr8B8="); err != nil {
		t.Fatalf("the documented example: %v", err)
	}
	tampered := url.Values{}
	for k, v := range twilioExample {
		tampered[k] = v
	}
	tampered.Set("Digits", "9999")
	for name, c := range map[string]struct {
		uri       string
		form      url.Values
		signature string
	}{
		"unsigned":        {"/myapp.php?foo=1&bar=2", twilioExample, ""},
		"wrong token":     {"/myapp.php?foo=1&bar=2", twilioExample, delivery.TwilioSignature("54321", twilioExampleURL, twilioExample)},
		"tampered form":   {"/myapp.php?foo=1&bar=2", tampered, "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
		"another address": {"/myapp.php?foo=1&bar=3", twilioExample, "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
	} {
		if err := inbound.Verify(c.uri, c.form, c.signature); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Errorf("%s: %v, want EUNAUTHORIZED", name, err)
		}
	}
}

func TestIsYes(t *testing.T) {
	for body, want := range map[string]bool{"YES": true, " yes. ": true, "Y": true, "Ja": true, "oui!": true, "sí": true,
		"yes please": false, "no": false, "": false, "STOP": false} {
		if got := delivery.IsYes(body); got != want {
			t.Errorf("IsYes(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestIsStop(t *testing.T) {
	for body, want := range map[string]bool{"STOP": true, " stop ": true, "Unsubscribe": true, "arrêt": true, "Stopp!": true,
		"stop it": false, "YES": false, "": false} {
		if got := delivery.IsStop(body); got != want {
			t.Errorf("IsStop(%q) = %v, want %v", body, got, want)
		}
	}
}
