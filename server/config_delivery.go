package main

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/stockbell/stockbell/server/delivery"
)

// parseDelivery reads the email and SMS settings, reporting each that is
// wrong; links in messages start with the public URL.
func (c *Config) parseDelivery(getenv func(string) string) error {
	c.Delivery = delivery.Config{PublicURL: c.PublicURL, Stop: delivery.StopNorthAmerica}
	var problems configErrors
	if v := getenv("STOCKBELL_SMS_STOP"); v != "" {
		c.Delivery.Stop = delivery.StopPolicy(v)
		if c.Delivery.Stop != delivery.StopNorthAmerica && c.Delivery.Stop != delivery.StopAlways {
			problems.add(&configError{"STOCKBELL_SMS_STOP", fmt.Sprintf("want us_ca or always, got %q", v)})
		}
	}
	var err error
	c.Delivery.SMTP, err = smtpFromEnv(getenv)
	problems.add(err)
	c.Delivery.Twilio, err = twilioFromEnv(getenv)
	problems.add(err)
	return problems.err()
}

func smtpFromEnv(getenv func(string) string) (delivery.SMTPConfig, error) {
	raw := getenv("STOCKBELL_SMTP_URL")
	if raw == "" {
		return delivery.SMTPConfig{}, nil
	}
	var problems configErrors
	cfg, err := parseSMTPURL(raw)
	problems.add(err)
	if from, err := mail.ParseAddress(getenv("STOCKBELL_EMAIL_FROM")); err != nil || !strings.Contains(from.Address, "@") {
		problems.add(&configError{"STOCKBELL_EMAIL_FROM", fmt.Sprintf("want an email address such as alerts@example.com, got %q", getenv("STOCKBELL_EMAIL_FROM"))})
	} else {
		cfg.FromAddress, cfg.FromName = from.Address, from.Name
	}
	cfg.MaxSessions, err = positiveInt(getenv, "STOCKBELL_SMTP_MAX_SESSIONS", 4)
	problems.add(err)
	cfg.Burst, err = positiveInt(getenv, "STOCKBELL_SMTP_BURST", 10)
	problems.add(err)
	cfg.RatePerSecond, err = perSecond(getenv, "STOCKBELL_SMTP_RATE", 20)
	problems.add(err)
	return cfg, problems.err()
}

// parseSMTPURL reads smtp://user:pass@host:587 (STARTTLS required),
// smtps://user:pass@host:465 (implicit TLS) or smtp://host:25?tls=none
// (plaintext). Errors name STOCKBELL_SMTP_URL and never echo the password.
func parseSMTPURL(raw string) (delivery.SMTPConfig, error) {
	const setting = "STOCKBELL_SMTP_URL"
	if strings.TrimSpace(raw) != raw {
		return delivery.SMTPConfig{}, &configError{setting, "has whitespace around its value (a trailing newline from a secrets file, say): remove it"}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return delivery.SMTPConfig{}, &configError{setting, "want smtp://user:password@host:587 or smtps://…:465"}
	}
	cfg := delivery.SMTPConfig{Host: u.Hostname(), Username: u.User.Username()}
	cfg.Password, _ = u.User.Password()
	if cfg.Security, cfg.Port, err = smtpSecurity(u.Scheme, u.Query()); err != nil {
		return cfg, &configError{setting, err.Error()}
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil || cfg.Port <= 0 || cfg.Port > 65535 {
			return cfg, &configError{setting, fmt.Sprintf("bad port %q", p)}
		}
	}
	return cfg, nil
}

// smtpSecurity reads the connection's security, and its default port,
// from the URL's scheme and tls option, saying which of the two is wrong.
func smtpSecurity(scheme string, query url.Values) (delivery.SMTPSecurity, int, error) {
	tls := query.Get("tls")
	switch {
	case scheme != "smtp" && scheme != "smtps":
		return "", 0, fmt.Errorf("scheme %q: want smtp://user:password@host:587 (STARTTLS), smtps://…:465 (implicit TLS) or smtp://host:25?tls=none (plaintext)", scheme)
	case scheme == "smtps" && tls != "":
		return "", 0, fmt.Errorf("tls=%s with smtps: want smtp://host:25?tls=none for plaintext, or smtps:// without tls", tls)
	case scheme == "smtps":
		return delivery.SMTPImplicit, 465, nil
	case tls == "none":
		return delivery.SMTPNone, 25, nil
	case tls == "" || tls == "starttls":
		return delivery.SMTPStartTLS, 587, nil
	}
	return "", 0, fmt.Errorf("tls=%q: want tls=none (plaintext) or no tls option (STARTTLS)", tls)
}

func twilioFromEnv(getenv func(string) string) (delivery.TwilioConfig, error) {
	cfg := delivery.TwilioConfig{AccountSID: getenv("STOCKBELL_TWILIO_ACCOUNT_SID"), AuthToken: getenv("STOCKBELL_TWILIO_AUTH_TOKEN"),
		From: getenv("STOCKBELL_TWILIO_FROM"), MessagingServiceSID: getenv("STOCKBELL_TWILIO_MESSAGING_SERVICE_SID"),
		APIURL: strings.TrimRight(getenv("STOCKBELL_TWILIO_API_URL"), "/")}
	if !cfg.Enabled() {
		return cfg, nil
	}
	var problems configErrors
	if cfg.AuthToken == "" {
		problems.add(&configError{"STOCKBELL_TWILIO_AUTH_TOKEN", "required with STOCKBELL_TWILIO_ACCOUNT_SID"})
	}
	if (cfg.From == "") == (cfg.MessagingServiceSID == "") {
		problems.add(&configError{"STOCKBELL_TWILIO_FROM", "set exactly one of STOCKBELL_TWILIO_FROM and STOCKBELL_TWILIO_MESSAGING_SERVICE_SID"})
	}
	if cfg.APIURL == "" {
		cfg.APIURL = delivery.DefaultTwilioAPIURL
	}
	if u, err := url.Parse(cfg.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		problems.add(&configError{"STOCKBELL_TWILIO_API_URL", fmt.Sprintf("want an absolute http(s) URL, got %q", cfg.APIURL)})
	}
	var err error
	cfg.RatePerSecond, err = perSecond(getenv, "STOCKBELL_TWILIO_RATE", 10)
	problems.add(err)
	return cfg, problems.err()
}

func positiveInt(getenv func(string) string, name string, def int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, &configError{name, fmt.Sprintf("want a positive whole number, got %q", v)}
	}
	return n, nil
}

func perSecond(getenv func(string) string, name string, def float64) (float64, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return 0, &configError{name, fmt.Sprintf("want messages per second above 0, got %q", v)}
	}
	return f, nil
}
