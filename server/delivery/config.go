package delivery

import (
	"crypto/tls"
	"fmt"
	"net/url"
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

// Config is every delivery setting (the server reads them with the rest of
// its configuration); the zero SMTPConfig or TwilioConfig means that
// channel is not configured.
type Config struct {
	// PublicURL is where the server is reached: unsubscribe and short
	// links start with it.
	PublicURL string
	SMTP      SMTPConfig
	Twilio    TwilioConfig
	Stop      StopPolicy // us_ca (the default) or always
}

// SMTPConfig configures the SMTPSender.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	Security SMTPSecurity
	// FromAddress is the envelope and header sender;
	// FromName is its display name when a message names no shop.
	FromAddress string
	FromName    string
	// MaxSessions bounds concurrent SMTP sessions, each a reused connection
	// (default 4).
	MaxSessions int
	// RatePerSecond limits messages per second to the provider, with bursts
	// of Burst (defaults 20 and 10).
	RatePerSecond float64
	Burst         int
	// Timeout bounds a whole send: connecting, the greeting, TLS, AUTH
	// and the message (default 30s). The send's context ends it sooner
	// when its deadline comes first, as the send job's timeout does.
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
	AccountSID          string
	AuthToken           string
	From                string // an E.164 number or alphanumeric sender id
	MessagingServiceSID string // instead of From
	APIURL              string // default https://api.twilio.com
	// RatePerSecond limits requests per second (default 10).
	RatePerSecond float64
	Timeout       time.Duration // per request, default 30s
}

// Enabled reports whether SMS is configured.
func (c TwilioConfig) Enabled() bool { return c.AccountSID != "" }

// DefaultTwilioAPIURL is Twilio's API.
const DefaultTwilioAPIURL = "https://api.twilio.com"

// Validate checks the settings delivery needs whatever the channels.
func (c Config) Validate() error {
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return stockbell.FieldErrorf("public_url", "want an absolute http(s) URL for unsubscribe and short links, got %q", c.PublicURL)
	}
	return nil
}

func (c SMTPConfig) String() string {
	return fmt.Sprintf("%s:%d (%s)", c.Host, c.Port, c.Security)
}
