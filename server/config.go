package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/web"
)

// Config is the server's whole configuration, read once from environment
// variables (see the README's table) and copied into each component.
type Config struct {
	Env  string // STOCKBELL_ENV: development or production (see defaultEnv)
	Addr string // STOCKBELL_ADDR, or PORT as Shopify CLI passes it
	// AddrSetting names the variable Addr came from, for errors about it:
	// PORT when STOCKBELL_ADDR is unset and PORT is set.
	AddrSetting string
	PublicURL   string // STOCKBELL_PUBLIC_URL, or SHOPIFY_APP_URL
	DataDir     string // STOCKBELL_DATA_DIR
	DatabaseURL string // STOCKBELL_DATABASE_URL
	// DatabaseSetting names the variable DatabaseURL came from, for errors
	// about it: STOCKBELL_DATA_DIR when STOCKBELL_DATABASE_URL is unset and
	// the database is the data directory's file.
	DatabaseSetting string
	SecretKey       []byte // STOCKBELL_SECRET_KEY (or generated in development)
	// PreviousSecretKey (STOCKBELL_SECRET_KEY_PREVIOUS) still opens what
	// the key before a rotation sealed or signed.
	PreviousSecretKey []byte
	LogLevel          slog.Level     // STOCKBELL_LOG_LEVEL
	LogFormat         string         // STOCKBELL_LOG_FORMAT: text or json
	Workers           int            // STOCKBELL_WORKERS: jobs run at once by this process (restock decisions and send jobs aside: jobs.DecisionWorkers, jobs.SendWorkers)
	ShutdownTimeout   time.Duration  // STOCKBELL_SHUTDOWN_TIMEOUT
	MigrationLockWait time.Duration  // STOCKBELL_MIGRATION_LOCK_WAIT: the wait for another process's migration lock (PostgreSQL)
	TrustedProxies    []netip.Prefix // STOCKBELL_TRUSTED_PROXIES
	// Storefront subscription rate limits, per client address and per
	// contact (STOCKBELL_RATE_LIMIT_IP, STOCKBELL_RATE_LIMIT_CONTACT).
	RateLimitIP      web.RateLimit
	RateLimitContact web.RateLimit
	// MetricsAddr (STOCKBELL_METRICS_ADDR) and MetricsToken
	// (STOCKBELL_METRICS_TOKEN) say where /metrics is served and who may
	// read it (see parseMetrics).
	MetricsAddr, MetricsToken string
	// Shopify is the Shopify app (SHOPIFY_*); off without SHOPIFY_API_KEY.
	Shopify stockbell.ShopifyConfig
	// Delivery is the email and SMS settings (STOCKBELL_SMTP_*,
	// STOCKBELL_TWILIO_*, STOCKBELL_SMS_STOP).
	Delivery delivery.Config
	// BigCommerce is the BigCommerce app (BIGCOMMERCE_*,
	// STOCKBELL_BIGCOMMERCE_*); not Enabled without a client id.
	BigCommerce stockbell.BigCommerceConfig
	// FeedMaxBytes caps a catalog feed document (STOCKBELL_FEED_MAX_BYTES).
	FeedMaxBytes int64
	// ReceiptRetention is how long a processed webhook receipt is kept
	// (STOCKBELL_RECEIPT_RETENTION).
	ReceiptRetention time.Duration

	// UntrimmedSecrets names the secret settings whose value has
	// whitespace around it that changes what is used (see secretSettings).
	UntrimmedSecrets []string

	// publicURLUnused is set for a command that makes no link to the
	// server: an unset public URL is then not required (see publicURLNeed).
	publicURLUnused bool
	// publicURLDefaulted is set when PublicURL is development's default,
	// http://localhost:PORT, rather than configured: see listeningOn.
	publicURLDefaulted bool
}

// publicURLNeed says whether a command requires STOCKBELL_PUBLIC_URL in
// production. Only what a command uses is required of it, so that a
// migration job, say, runs with the database's settings alone; a public
// URL that is set is checked either way.
type publicURLNeed bool

const (
	// publicURLRequired: serve, and the commands that print links to it.
	publicURLRequired publicURLNeed = true
	// publicURLUnused: the commands that work on the database only.
	publicURLUnused publicURLNeed = false
)

// Development reports whether the server runs in development mode.
func (c *Config) Development() bool { return c.Env == "development" }

// LoadConfig reads the configuration from getenv, applies defaults and
// validates it. It is the one place that reads environment variables. The
// public URL is parsed once, here, and handed to the platforms and to
// delivery; in development it defaults to http://localhost:PORT whatever
// is configured. (In development a missing secret key is generated once
// and kept in the data directory by LoadSecretKey; in production it must
// be set.) Development runs only on a loopback public URL: without
// STOCKBELL_ENV any other public URL means production, so a forgotten
// setting never fails open.
func LoadConfig(getenv func(string) string) (*Config, error) {
	return readConfig(getenv, publicURLRequired)
}

// readConfig is LoadConfig for a command that may not need the public URL.
func readConfig(getenv func(string) string, need publicURLNeed) (*Config, error) {
	return readSettings(getenv, need, keyUnused)
}

// readKeyedConfig is readConfig for a command that uses the secret key
// (serve, and the commands that seal or open platform credentials): a key
// it could not have is reported with the other settings' errors. The
// command then loads the key with LoadSecretKey.
func readKeyedConfig(getenv func(string) string, need publicURLNeed) (*Config, error) {
	return readSettings(getenv, need, keyUsed)
}

// keyNeed says whether a command uses the secret key.
type keyNeed bool

const (
	keyUsed   keyNeed = true
	keyUnused keyNeed = false
)

// readSettings reads and checks every setting, and the secret key's
// availability when the command uses it, reporting every error found.
func readSettings(getenv func(string) string, need publicURLNeed, key keyNeed) (*Config, error) {
	publicURL := orDefault(getenv("STOCKBELL_PUBLIC_URL"), getenv("SHOPIFY_APP_URL"))
	cfg := &Config{
		publicURLUnused:   need == publicURLUnused,
		UntrimmedSecrets:  untrimmedSecrets(getenv),
		Env:               orDefault(getenv("STOCKBELL_ENV"), defaultEnv(publicURL)),
		Addr:              getenv("STOCKBELL_ADDR"),
		PublicURL:         publicURL,
		DataDir:           orDefault(getenv("STOCKBELL_DATA_DIR"), "data"),
		DatabaseURL:       getenv("STOCKBELL_DATABASE_URL"),
		LogFormat:         logFormat(getenv),
		Workers:           10,
		ShutdownTimeout:   20 * time.Second,
		MigrationLockWait: store.DefaultMigrationLockWait,
	}
	addrSetting := "STOCKBELL_ADDR"
	if cfg.Addr == "" {
		// A development server answers its start page, the demo shop's
		// admin and /metrics without a sign-in, and its public URL is on
		// loopback anyway: by default it listens there only.
		host := ""
		if cfg.Env == "development" {
			host = "127.0.0.1"
		}
		cfg.Addr = host + ":8080"
		if port := getenv("PORT"); port != "" {
			cfg.Addr, addrSetting = host+":"+port, "PORT"
		}
	}
	cfg.AddrSetting = addrSetting
	var problems configErrors
	problems.add(checkListenAddr(addrSetting, cfg.Addr))
	cfg.DatabaseSetting = "STOCKBELL_DATABASE_URL"
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL, cfg.DatabaseSetting = filepath.Join(cfg.DataDir, "stockbell.db"), "STOCKBELL_DATA_DIR"
	}
	if cfg.PublicURL == "" && cfg.Env == "development" {
		cfg.PublicURL, cfg.publicURLDefaulted = "http://localhost"+portSuffix(cfg.Addr), true
	}
	steps := []func(func(string) string) error{
		cfg.parseNumbers, cfg.parseLogLevel, cfg.parseProxies, cfg.parseRateLimits, cfg.parseMetrics,
		cfg.parseFeed, cfg.parseReceiptRetention, cfg.checkSetKeys,
	}
	if key == keyUsed {
		steps = append(steps, cfg.checkKeyAvailable)
	}
	// Every step runs, so that every wrong setting is reported at once.
	for _, step := range steps {
		problems.add(step(getenv))
	}
	if err := cfg.Validate(); err != nil {
		problems.add(err)
		return nil, problems.err()
	}
	// The apps' settings come after Validate: they are built on the public URL.
	for _, step := range []func(func(string) string) error{cfg.parseBigCommerce, cfg.parseShopify, cfg.parseDelivery} {
		problems.add(step(getenv))
	}
	if err := problems.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// logFormat reads STOCKBELL_LOG_FORMAT in any case: text (the default) or
// json; Validate refuses anything else.
func logFormat(getenv func(string) string) string {
	return orDefault(strings.ToLower(strings.TrimSpace(getenv("STOCKBELL_LOG_FORMAT"))), "text")
}

// parseNumbers reads the worker count and the shutdown and migration lock
// waits, reporting each that is wrong.
func (c *Config) parseNumbers(getenv func(string) string) error {
	var problems configErrors
	if v := getenv("STOCKBELL_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			problems.add(&configError{"STOCKBELL_WORKERS", fmt.Sprintf("want a whole number from 1 to 1000, got %q", v)})
		} else {
			c.Workers = n
		}
	}
	problems.add(parsePositiveDuration(getenv, "STOCKBELL_SHUTDOWN_TIMEOUT", "20s", &c.ShutdownTimeout))
	problems.add(parsePositiveDuration(getenv, "STOCKBELL_MIGRATION_LOCK_WAIT", "15m", &c.MigrationLockWait))
	return problems.err()
}

// parsePositiveDuration reads the setting, when set, into d: a positive Go
// duration, such as example.
func parsePositiveDuration(getenv func(string) string, setting, example string, d *time.Duration) error {
	v := getenv(setting)
	if v == "" {
		return nil
	}
	parsed, err := time.ParseDuration(v)
	if err != nil || parsed <= 0 {
		return &configError{setting, fmt.Sprintf("want a positive duration such as %s, got %q", example, v)}
	}
	*d = parsed
	return nil
}

// parseReceiptRetention reads STOCKBELL_RECEIPT_RETENTION, a Go duration
// of at least stockbell.MinReceiptRetention, so that deduplication still
// covers every platform's retries.
func (c *Config) parseReceiptRetention(getenv func(string) string) error {
	c.ReceiptRetention = stockbell.DefaultReceiptRetention
	v := strings.TrimSpace(getenv("STOCKBELL_RECEIPT_RETENTION"))
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < stockbell.MinReceiptRetention {
		return &configError{"STOCKBELL_RECEIPT_RETENTION", fmt.Sprintf("want a duration of at least %s such as 168h (7 days), got %q",
			formatHours(stockbell.MinReceiptRetention), v)}
	}
	c.ReceiptRetention = d
	return nil
}

// formatHours writes a whole number of hours as Go's durations read it
// ("72h", not "72h0m0s").
func formatHours(d time.Duration) string { return fmt.Sprintf("%dh", int(d.Hours())) }

func (c *Config) parseLogLevel(getenv func(string) string) error {
	v := getenv("STOCKBELL_LOG_LEVEL")
	if v == "" {
		return nil
	}
	if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
		return &configError{"STOCKBELL_LOG_LEVEL", fmt.Sprintf("want debug, info, warn or error, got %q", v)}
	}
	return nil
}

func (c *Config) parseProxies(getenv func(string) string) error {
	for _, field := range strings.FieldsFunc(getenv("STOCKBELL_TRUSTED_PROXIES"), isListSeparator) {
		prefix, err := netip.ParsePrefix(field)
		if err != nil {
			addr, addrErr := netip.ParseAddr(field)
			if addrErr != nil {
				return &configError{"STOCKBELL_TRUSTED_PROXIES", fmt.Sprintf("%q is not a CIDR such as 10.0.0.0/8 or an address", field)}
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix)
	}
	return nil
}

func (c *Config) parseRateLimits(getenv func(string) string) error {
	var problems configErrors
	for _, limit := range []struct {
		setting, def string
		into         *web.RateLimit
	}{
		{"STOCKBELL_RATE_LIMIT_IP", "30/1m", &c.RateLimitIP},
		{"STOCKBELL_RATE_LIMIT_CONTACT", "5/1h", &c.RateLimitContact},
	} {
		parsed, err := web.ParseRateLimit(orDefault(getenv(limit.setting), limit.def))
		if err != nil {
			problems.add(&configError{limit.setting, err.Error()})
			continue
		}
		*limit.into = parsed
	}
	return problems.err()
}

func isListSeparator(r rune) bool { return r == ',' || r == ' ' }

// Validate checks the settings that do not depend on the outside world.
// Every one that is wrong is reported (see configErrors).
func (c *Config) Validate() error {
	var problems configErrors
	envKnown := c.Env == "development" || c.Env == "production"
	if !envKnown {
		problems.add(&configError{"STOCKBELL_ENV", fmt.Sprintf("want development or production, got %q", c.Env)})
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		problems.add(&configError{"STOCKBELL_ADDR", fmt.Sprintf("want host:port such as :8080, got %q", c.Addr)})
	}
	if _, _, err := store.ParseURL(c.DatabaseURL); err != nil {
		problems.add(&configError{c.databaseSetting(), err.Error()})
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		problems.add(&configError{"STOCKBELL_LOG_FORMAT", fmt.Sprintf("want text or json, got %q", c.LogFormat)})
	}
	// The public URL's rules depend on the environment.
	if envKnown {
		problems.add(c.validatePublicURL())
	}
	return problems.err()
}

func (c *Config) validatePublicURL() error {
	if c.PublicURL == "" && c.publicURLUnused {
		return nil
	}
	if c.PublicURL == "" {
		return &configError{"STOCKBELL_PUBLIC_URL", "required in production (the https URL platforms and shoppers reach this server at)"}
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &configError{"STOCKBELL_PUBLIC_URL", fmt.Sprintf("want an absolute http(s) URL, got %q", c.PublicURL)}
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return &configError{"STOCKBELL_PUBLIC_URL", fmt.Sprintf("want scheme, host and port only, such as https://stockbell.example.com "+
			"(links are the public URL followed by a route's path, and routes are served at the root), got %q", u.Redacted())}
	}
	if !c.Development() && u.Scheme != "https" {
		return &configError{"STOCKBELL_PUBLIC_URL", "must be https in production"}
	}
	if c.Development() && !isLoopbackURL(c.PublicURL) {
		return &configError{"STOCKBELL_ENV", fmt.Sprintf("development (a generated key, messages in the log, loopback CORS, the demo admin) "+
			"runs only on a loopback STOCKBELL_PUBLIC_URL, and this one is %q: set STOCKBELL_ENV=production and a STOCKBELL_SECRET_KEY", c.PublicURL)}
	}
	// The origin alone (the path is slashes at most), scheme and host in
	// lower case, as browsers and platforms write and compare it.
	c.PublicURL = u.Scheme + "://" + strings.ToLower(u.Host)
	return nil
}

// defaultEnv is development while the public URL is unset or on loopback,
// production otherwise.
func defaultEnv(publicURL string) string {
	if publicURL == "" || isLoopbackURL(publicURL) {
		return "development"
	}
	return "production"
}

// isLoopbackURL reports whether the URL's host is localhost (or a name
// under .localhost) or a loopback address.
func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}

// checkListenAddr refuses an address to listen on that is not host:port
// with a port number, naming the setting it came from (the development
// public URL is made from it).
func checkListenAddr(setting, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return &configError{setting, fmt.Sprintf("want host:port such as :8080, got %q", addr)}
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return &configError{setting, fmt.Sprintf("want a port number from 0 to 65535, got %q", port)}
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// listeningOn makes the development default public URL, and the links
// built on it, name the port the server bound at addr: STOCKBELL_ADDR or
// PORT may ask for any free port (0). A configured public URL is kept.
func (c *Config) listeningOn(addr net.Addr) {
	if !c.publicURLDefaulted {
		return
	}
	c.PublicURL = "http://localhost" + portSuffix(addr.String())
	// What parseDelivery, parseBigCommerce and parseShopify built on it.
	c.Delivery.PublicURL, c.BigCommerce.AppURL, c.Shopify.AppURL = c.PublicURL, c.PublicURL, c.PublicURL
}

// linkBase is the public URL a command other than serve prints links on.
// The development default on any free port names port 0, which no link
// reaches and which only the server resolves (see listeningOn): the
// command then asks for the public URL rather than print a dead link.
func (c *Config) linkBase() (string, error) {
	if _, port, _ := net.SplitHostPort(c.Addr); c.publicURLDefaulted && port == "0" {
		return "", &configError{"STOCKBELL_PUBLIC_URL", fmt.Sprintf("required to print a link while %s (%s) asks for any free port: "+
			"set it to the server's URL, the public_url its start-up log prints", orDefault(c.AddrSetting, "STOCKBELL_ADDR"), c.Addr)}
	}
	return c.PublicURL, nil
}

func portSuffix(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "80" {
		return ""
	}
	return ":" + port
}

// databaseSetting is the variable to name in an error about the database:
// the one its URL came from.
func (c *Config) databaseSetting() string {
	return orDefault(c.DatabaseSetting, "STOCKBELL_DATABASE_URL")
}
