package delivery

import (
	"crypto/tls"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// SMTPSecurity is how an SMTP connection is protected.
type SMTPSecurity string

// SMTP security modes.
const (
	SMTPStartTLS SMTPSecurity = "starttls" // smtp://: STARTTLS required
	SMTPImplicit SMTPSecurity = "implicit" // smtps://: TLS from the first byte
	SMTPNone     SMTPSecurity = "none"     // smtp://…?tls=none: plaintext, for local relays
)

// StopPolicy says which SMS get the "Reply STOP to opt out" wording.
type StopPolicy string

// Stop policies. North American carriers require opt-out wording in every
// marketing text, so numbers starting +1 always get it. Elsewhere texts are
// often sent from alphanumeric sender ids that cannot receive a reply, so
// the wording is added only when the operator says replies work.
const (
	StopNorthAmerica StopPolicy = "us_ca"  // +1 numbers only (the default)
	StopAlways       StopPolicy = "always" // every SMS
)

// Config is every delivery setting. ConfigFromEnv reads it; the zero
// SMTPConfig or TwilioConfig means that channel is not configured.
type Config struct {
	// PublicURL is where the server is reached (STOCKBELL_PUBLIC_URL):
	// unsubscribe and short links start with it.
	PublicURL string
	SMTP      SMTPConfig
	Twilio    TwilioConfig
	Stop      StopPolicy // STOCKBELL_SMS_STOP: us_ca (default) or always
}

// SMTPConfig configures the SMTPSender.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	Security SMTPSecurity
	// FromAddress is the envelope and header sender (STOCKBELL_EMAIL_FROM);
	// FromName is its display name when a message names no shop.
	FromAddress string
	FromName    string
	// MaxSessions bounds concurrent SMTP sessions, each a reused connection
	// (STOCKBELL_SMTP_MAX_SESSIONS, default 4).
	MaxSessions int
	// RatePerSecond limits messages per second to the provider, with bursts
	// of Burst (STOCKBELL_SMTP_RATE, default 20; STOCKBELL_SMTP_BURST, default 10).
	RatePerSecond float64
	Burst         int
	// Timeout bounds dialling and each SMTP command (default 30s).
	Timeout time.Duration
	// IdleTimeout closes a pooled connection unused for that long (default 30s).
	IdleTimeout time.Duration
	// TLSConfig overrides the TLS settings (tests trust their own CA here).
	TLSConfig *tls.Config
}

// Enabled reports whether email is configured.
func (c SMTPConfig) Enabled() bool { return c.Host != "" }

// SendingDomain is the domain of the From address.
func (c SMTPConfig) SendingDomain() string {
	return c.FromAddress[strings.LastIndexByte(c.FromAddress, '@')+1:]
}

// TwilioConfig configures the TwilioSender.
type TwilioConfig struct {
	AccountSID          string // STOCKBELL_TWILIO_ACCOUNT_SID
	AuthToken           string // STOCKBELL_TWILIO_AUTH_TOKEN
	From                string // STOCKBELL_TWILIO_FROM: an E.164 number or alphanumeric sender id
	MessagingServiceSID string // STOCKBELL_TWILIO_MESSAGING_SERVICE_SID, instead of From
	APIURL              string // STOCKBELL_TWILIO_API_URL, default https://api.twilio.com
	// RatePerSecond limits requests per second (STOCKBELL_TWILIO_RATE, default 10).
	RatePerSecond float64
	Timeout       time.Duration // per request, default 30s
}

// Enabled reports whether SMS is configured.
func (c TwilioConfig) Enabled() bool { return c.AccountSID != "" }

// DefaultTwilioAPIURL is Twilio's API.
const DefaultTwilioAPIURL = "https://api.twilio.com"

// ConfigFromEnv reads the delivery settings. Errors are EINVALID and name
// the variable that is wrong.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{PublicURL: strings.TrimRight(getenv("STOCKBELL_PUBLIC_URL"), "/"), Stop: StopNorthAmerica}
	if v := getenv("STOCKBELL_SMS_STOP"); v != "" {
		cfg.Stop = StopPolicy(v)
		if cfg.Stop != StopNorthAmerica && cfg.Stop != StopAlways {
			return cfg, stockbell.FieldErrorf("STOCKBELL_SMS_STOP", "want us_ca or always, got %q", v)
		}
	}
	var err error
	if cfg.SMTP, err = smtpFromEnv(getenv); err != nil {
		return cfg, err
	}
	cfg.Twilio, err = twilioFromEnv(getenv)
	return cfg, err
}

func smtpFromEnv(getenv func(string) string) (SMTPConfig, error) {
	raw := getenv("STOCKBELL_SMTP_URL")
	if raw == "" {
		return SMTPConfig{}, nil
	}
	cfg, err := ParseSMTPURL(raw)
	if err != nil {
		return cfg, err
	}
	from, err := mail.ParseAddress(getenv("STOCKBELL_EMAIL_FROM"))
	if err != nil || !strings.Contains(from.Address, "@") {
		return cfg, stockbell.FieldErrorf("STOCKBELL_EMAIL_FROM", "want an email address such as alerts@example.com, got %q", getenv("STOCKBELL_EMAIL_FROM"))
	}
	cfg.FromAddress, cfg.FromName = from.Address, from.Name
	if cfg.MaxSessions, err = intEnv(getenv, "STOCKBELL_SMTP_MAX_SESSIONS", 4); err != nil {
		return cfg, err
	}
	if cfg.Burst, err = intEnv(getenv, "STOCKBELL_SMTP_BURST", 10); err != nil {
		return cfg, err
	}
	cfg.RatePerSecond, err = rateEnv(getenv, "STOCKBELL_SMTP_RATE", 20)
	return cfg, err
}

// ParseSMTPURL reads smtp://user:pass@host:587 (STARTTLS required),
// smtps://user:pass@host:465 (implicit TLS) or smtp://host:25?tls=none
// (plaintext). Errors name STOCKBELL_SMTP_URL and never echo the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	const field = "STOCKBELL_SMTP_URL"
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return SMTPConfig{}, stockbell.FieldErrorf(field, "want smtp://user:password@host:587 or smtps://…:465")
	}
	cfg := SMTPConfig{Host: u.Hostname(), Username: u.User.Username()}
	cfg.Password, _ = u.User.Password()
	switch {
	case u.Scheme == "smtp" && u.Query().Get("tls") == "none":
		cfg.Security, cfg.Port = SMTPNone, 25
	case u.Scheme == "smtp" && (u.Query().Get("tls") == "" || u.Query().Get("tls") == "starttls"):
		cfg.Security, cfg.Port = SMTPStartTLS, 587
	case u.Scheme == "smtps" && u.Query().Get("tls") == "":
		cfg.Security, cfg.Port = SMTPImplicit, 465
	default:
		return cfg, stockbell.FieldErrorf(field, "want scheme smtp or smtps and tls=none or nothing, got %s://…?tls=%s", u.Scheme, u.Query().Get("tls"))
	}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil || cfg.Port <= 0 || cfg.Port > 65535 {
			return cfg, stockbell.FieldErrorf(field, "bad port %q", p)
		}
	}
	return cfg, nil
}

func twilioFromEnv(getenv func(string) string) (TwilioConfig, error) {
	cfg := TwilioConfig{AccountSID: getenv("STOCKBELL_TWILIO_ACCOUNT_SID"), AuthToken: getenv("STOCKBELL_TWILIO_AUTH_TOKEN"),
		From: getenv("STOCKBELL_TWILIO_FROM"), MessagingServiceSID: getenv("STOCKBELL_TWILIO_MESSAGING_SERVICE_SID"),
		APIURL: strings.TrimRight(getenv("STOCKBELL_TWILIO_API_URL"), "/")}
	if !cfg.Enabled() {
		return cfg, nil
	}
	if cfg.AuthToken == "" {
		return cfg, stockbell.FieldErrorf("STOCKBELL_TWILIO_AUTH_TOKEN", "required with STOCKBELL_TWILIO_ACCOUNT_SID")
	}
	if (cfg.From == "") == (cfg.MessagingServiceSID == "") {
		return cfg, stockbell.FieldErrorf("STOCKBELL_TWILIO_FROM", "set exactly one of STOCKBELL_TWILIO_FROM and STOCKBELL_TWILIO_MESSAGING_SERVICE_SID")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultTwilioAPIURL
	}
	if u, err := url.Parse(cfg.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return cfg, stockbell.FieldErrorf("STOCKBELL_TWILIO_API_URL", "want an absolute http(s) URL, got %q", cfg.APIURL)
	}
	var err error
	cfg.RatePerSecond, err = rateEnv(getenv, "STOCKBELL_TWILIO_RATE", 10)
	return cfg, err
}

func intEnv(getenv func(string) string, name string, def int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, stockbell.FieldErrorf(name, "want a positive whole number, got %q", v)
	}
	return n, nil
}

func rateEnv(getenv func(string) string, name string, def float64) (float64, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return 0, stockbell.FieldErrorf(name, "want messages per second above 0, got %q", v)
	}
	return f, nil
}

// Validate checks the settings that do not come from the environment alone.
func (c Config) Validate() error {
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return stockbell.FieldErrorf("STOCKBELL_PUBLIC_URL", "want an absolute http(s) URL for unsubscribe and short links, got %q", c.PublicURL)
	}
	return nil
}

func (c SMTPConfig) String() string {
	return fmt.Sprintf("%s:%d (%s)", c.Host, c.Port, c.Security)
}
