package delivery_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
)

// fakeTwilio plays Twilio's Messages API: basic auth with the account sid
// and auth token, a form body, 201 with the message resource, or Twilio's
// error shape.
type fakeTwilio struct {
	*httptest.Server
	sid, token string

	mu       sync.Mutex
	forms    []url.Values
	failWith []twilioAnswer // answers for the next requests, then success
}

type twilioAnswer struct {
	status int
	code   int
	msg    string
}

func startTwilio(t testing.TB) *fakeTwilio {
	f := &fakeTwilio{sid: "AC0123456789abcdef0123456789abcdef", token: "tok3n"}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTwilio) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	user, pass, ok := r.BasicAuth()
	if r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+f.sid+"/Messages.json" {
		writeTwilioError(w, twilioAnswer{404, 20404, "The requested resource was not found"})
		return
	}
	if !ok || user != f.sid || pass != f.token {
		writeTwilioError(w, twilioAnswer{401, 20003, "Authenticate"})
		return
	}
	if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
		writeTwilioError(w, twilioAnswer{400, 21602, "Message body is required."})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forms = append(f.forms, r.PostForm)
	if len(f.failWith) > 0 {
		a := f.failWith[0]
		f.failWith = f.failWith[1:]
		writeTwilioError(w, a)
		return
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"sid": fmt.Sprintf("SM%032d", len(f.forms)), "status": "queued",
		"to": r.PostForm.Get("To"), "body": r.PostForm.Get("Body"), "num_segments": "1"})
}

func writeTwilioError(w http.ResponseWriter, a twilioAnswer) {
	w.WriteHeader(a.status)
	json.NewEncoder(w).Encode(map[string]any{"code": a.code, "message": a.msg,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", a.code), "status": a.status})
}

func (f *fakeTwilio) sender(from, service string) *delivery.TwilioSender {
	return delivery.NewTwilioSender(delivery.TwilioConfig{AccountSID: f.sid, AuthToken: f.token, From: from,
		MessagingServiceSID: service, APIURL: f.URL, RatePerSecond: 1e6}, f.Client())
}

func (f *fakeTwilio) requests() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

func smsMessage(to, text string) stockbell.OutboundMessage {
	return stockbell.OutboundMessage{MessageID: 42, Channel: stockbell.ChannelSMS, To: to, Text: text}
}

func TestTwilioSends(t *testing.T) {
	f := startTwilio(t)
	out, err := newTemplates(t, delivery.StopNorthAmerica).Render(ctx, content(stockbell.ChannelSMS, "+15145550123", "en"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.sender("+15005550006", "").Send(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	forms := f.requests()
	if len(forms) != 1 || forms[0].Get("To") != "+15145550123" || forms[0].Get("From") != "+15005550006" ||
		forms[0].Get("Body") != out.Text || forms[0].Has("MessagingServiceSid") {
		t.Fatalf("form %v", forms)
	}
	if res.ProviderID != "SM00000000000000000000000000000001" || res.Segments != 1 {
		t.Fatalf("result %+v", res)
	}
	long := strings.Repeat("Back in stock! ", 11) + "ç" // 166 characters, UCS-2: 3 parts of 67
	res, err = f.sender("", "MG0123").Send(ctx, smsMessage("+33612345678", long))
	if err != nil || res.Segments != 3 {
		t.Fatalf("long SMS: %+v, %v", res, err)
	}
	if form := f.requests()[1]; form.Get("MessagingServiceSid") != "MG0123" || form.Has("From") {
		t.Fatalf("messaging service form %v", form)
	}
}

func TestTwilioErrors(t *testing.T) {
	cases := []struct {
		answer    twilioAnswer
		permanent bool
	}{
		{twilioAnswer{400, 21211, "The 'To' number +1555 is not a valid phone number."}, true},
		{twilioAnswer{400, 21614, "'To' number is not a valid mobile number"}, true},
		{twilioAnswer{400, 21610, "Attempt to send to unsubscribed recipient"}, true},
		{twilioAnswer{429, 20429, "Too Many Requests"}, false},
		{twilioAnswer{500, 20500, "Internal Server Error"}, false},
		{twilioAnswer{503, 20503, "Service Unavailable"}, false},
	}
	for _, c := range cases {
		f := startTwilio(t)
		f.failWith = []twilioAnswer{c.answer}
		sender := f.sender("+15005550006", "")
		_, err := sender.Send(ctx, smsMessage("+15145550123", "hi"))
		if c.permanent {
			wantCode(t, err, stockbell.EINVALID)
			if msg := stockbell.ErrorMessage(err); !strings.Contains(msg, fmt.Sprint(c.answer.code)) || !strings.Contains(msg, c.answer.msg) {
				t.Errorf("reason %q lacks Twilio's code and message", msg)
			}
			continue
		}
		wantTransient(t, err)
		if res, err := sender.Send(ctx, smsMessage("+15145550123", "hi")); err != nil || res.ProviderID == "" {
			t.Errorf("after %d: retry %v", c.answer.status, err)
		}
	}
}

func TestTwilioWrongCredentialsAreTransient(t *testing.T) {
	f := startTwilio(t)
	sender := delivery.NewTwilioSender(delivery.TwilioConfig{AccountSID: f.sid, AuthToken: "wrong", From: "+15005550006", APIURL: f.URL}, f.Client())
	_, err := sender.Send(ctx, smsMessage("+15145550123", "hi"))
	wantTransient(t, err) // an operator fixes the token; the messages are not the shoppers' fault
	if !strings.Contains(err.Error(), "20003") || len(f.requests()) != 0 {
		t.Fatalf("error %v, %d accepted", err, len(f.requests()))
	}
}

func TestTwilioRefusesNonE164(t *testing.T) {
	f := startTwilio(t)
	for _, to := range []string{"5145550123", "+0123456789", "+1 514 555 0123", "", "+1234567890123456"} {
		_, err := f.sender("+15005550006", "").Send(ctx, smsMessage(to, "hi"))
		wantCode(t, err, stockbell.EINVALID)
	}
	if len(f.requests()) != 0 {
		t.Fatal("an invalid number reached the API")
	}
}

func TestTwilioUnreachableIsTransient(t *testing.T) {
	f := startTwilio(t)
	sender := f.sender("+15005550006", "")
	f.Close()
	_, err := sender.Send(ctx, smsMessage("+15145550123", "hi"))
	wantTransient(t, err)
}
