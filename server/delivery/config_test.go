package delivery_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	cfg, err := delivery.ConfigFromEnv(envOf(map[string]string{
		"STOCKBELL_PUBLIC_URL":                   "https://bell.example/",
		"STOCKBELL_SMTP_URL":                     "smtp://apikey:se%2Fcret@smtp.example:2525",
		"STOCKBELL_EMAIL_FROM":                   "Back in stock <alerts@bell.example>",
		"STOCKBELL_SMTP_MAX_SESSIONS":            "8",
		"STOCKBELL_SMTP_RATE":                    "12.5",
		"STOCKBELL_TWILIO_ACCOUNT_SID":           "AC1",
		"STOCKBELL_TWILIO_AUTH_TOKEN":            "t",
		"STOCKBELL_TWILIO_MESSAGING_SERVICE_SID": "MG1",
		"STOCKBELL_SMS_STOP":                     "always",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.SMTP
	if cfg.PublicURL != "https://bell.example" || s.Host != "smtp.example" || s.Port != 2525 || s.Security != delivery.SMTPStartTLS ||
		s.Username != "apikey" || s.Password != "se/cret" || s.FromAddress != "alerts@bell.example" || s.FromName != "Back in stock" ||
		s.MaxSessions != 8 || s.RatePerSecond != 12.5 || s.Burst != 10 || s.SendingDomain() != "bell.example" {
		t.Errorf("SMTP config %+v", s)
	}
	if tw := cfg.Twilio; tw.APIURL != delivery.DefaultTwilioAPIURL || tw.MessagingServiceSID != "MG1" || tw.RatePerSecond != 10 || cfg.Stop != delivery.StopAlways {
		t.Errorf("Twilio config %+v, stop %q", tw, cfg.Stop)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	none, err := delivery.ConfigFromEnv(envOf(nil))
	if err != nil || none.SMTP.Enabled() || none.Twilio.Enabled() || none.Stop != delivery.StopNorthAmerica {
		t.Fatalf("empty environment: %+v, %v", none, err)
	}
}

func TestConfigFromEnvErrorsNameTheVariable(t *testing.T) {
	smtp := map[string]string{"STOCKBELL_SMTP_URL": "smtp://smtp.example", "STOCKBELL_EMAIL_FROM": "alerts@bell.example"}
	twilio := map[string]string{"STOCKBELL_TWILIO_ACCOUNT_SID": "AC1", "STOCKBELL_TWILIO_AUTH_TOKEN": "t", "STOCKBELL_TWILIO_FROM": "+15005550006"}
	cases := []struct {
		base  map[string]string
		set   map[string]string
		field string
	}{
		{smtp, map[string]string{"STOCKBELL_SMTP_URL": "ftp://x"}, "STOCKBELL_SMTP_URL"},
		{smtp, map[string]string{"STOCKBELL_EMAIL_FROM": ""}, "STOCKBELL_EMAIL_FROM"},
		{smtp, map[string]string{"STOCKBELL_EMAIL_FROM": "not an address"}, "STOCKBELL_EMAIL_FROM"},
		{smtp, map[string]string{"STOCKBELL_SMTP_MAX_SESSIONS": "0"}, "STOCKBELL_SMTP_MAX_SESSIONS"},
		{smtp, map[string]string{"STOCKBELL_SMTP_RATE": "fast"}, "STOCKBELL_SMTP_RATE"},
		{twilio, map[string]string{"STOCKBELL_TWILIO_AUTH_TOKEN": ""}, "STOCKBELL_TWILIO_AUTH_TOKEN"},
		{twilio, map[string]string{"STOCKBELL_TWILIO_FROM": ""}, "STOCKBELL_TWILIO_FROM"},
		{twilio, map[string]string{"STOCKBELL_TWILIO_MESSAGING_SERVICE_SID": "MG1"}, "STOCKBELL_TWILIO_FROM"},
		{twilio, map[string]string{"STOCKBELL_TWILIO_API_URL": "localhost:8080"}, "STOCKBELL_TWILIO_API_URL"},
		{nil, map[string]string{"STOCKBELL_SMS_STOP": "never"}, "STOCKBELL_SMS_STOP"},
	}
	for _, c := range cases {
		env := map[string]string{}
		for k, v := range c.base {
			env[k] = v
		}
		for k, v := range c.set {
			env[k] = v
		}
		_, err := delivery.ConfigFromEnv(envOf(env))
		if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != c.field {
			t.Errorf("%v: error %v, want EINVALID naming %s", c.set, err, c.field)
		}
	}
	if err := (delivery.Config{PublicURL: "bell.example"}).Validate(); stockbell.ErrorField(err) != "STOCKBELL_PUBLIC_URL" {
		t.Errorf("relative public URL: %v", err)
	}
}
