package delivery_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
	request := func(signature string, form url.Values) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "http://10.0.0.1:8080/myapp.php?foo=1&bar=2", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if signature != "" {
			r.Header.Set(delivery.TwilioSignatureHeader, signature)
		}
		return r
	}
	form, err := inbound.Verify(httptest.NewRecorder(), request("RSOYDt4T1cUTdK1PDd93/VVr8B8=", twilioExample))
	if err != nil || form.Get("Digits") != "1234" {
		t.Fatalf("the documented example (behind a proxy, verified against the public URL): %v %v", form, err)
	}
	tampered := url.Values{}
	for k, v := range twilioExample {
		tampered[k] = v
	}
	tampered.Set("Digits", "9999")
	for name, r := range map[string]*http.Request{
		"unsigned":    request("", twilioExample),
		"wrong token": request(delivery.TwilioSignature("54321", twilioExampleURL, twilioExample), twilioExample),
		"tampered":    request("RSOYDt4T1cUTdK1PDd93/VVr8B8=", tampered),
	} {
		if _, err := inbound.Verify(httptest.NewRecorder(), r); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
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
