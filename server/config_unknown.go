package main

import (
	"log/slog"
	"sort"
	"strings"
)

// settingPrefix begins the name of every variable Stockbell reads as a
// setting of its own (PORT and the platforms' SHOPIFY_*, BIGCOMMERCE_* and
// SCOPES are the others).
const settingPrefix = "STOCKBELL_"

// knownSettings are the STOCKBELL_ variables the configuration reads
// (config*.go and keys.go; TestKnownSettingsAreTheOnesNamed keeps the two
// in step). Any other STOCKBELL_ variable is ignored, and warned of at
// start: a mistyped name would otherwise leave its setting at the default
// without a word.
var knownSettings = []string{
	"STOCKBELL_ADDR", "STOCKBELL_BIGCOMMERCE_API_URL", "STOCKBELL_BIGCOMMERCE_APP_ID", "STOCKBELL_BIGCOMMERCE_LOGIN_URL",
	"STOCKBELL_DATABASE_URL", "STOCKBELL_DATA_DIR", "STOCKBELL_EMAIL_FROM", "STOCKBELL_ENV",
	"STOCKBELL_FEED_MAX_BYTES", "STOCKBELL_LOG_FORMAT", "STOCKBELL_LOG_LEVEL", "STOCKBELL_METRICS_ADDR",
	"STOCKBELL_METRICS_TOKEN", "STOCKBELL_MIGRATION_LOCK_WAIT", "STOCKBELL_PUBLIC_URL", "STOCKBELL_RATE_LIMIT_CONTACT",
	"STOCKBELL_RATE_LIMIT_IP", "STOCKBELL_RECEIPT_RETENTION", "STOCKBELL_SECRET_KEY",
	"STOCKBELL_SECRET_KEY_PREVIOUS", "STOCKBELL_SHOPIFY_ADMIN_URL", "STOCKBELL_SHUTDOWN_TIMEOUT",
	"STOCKBELL_SMS_STOP", "STOCKBELL_SMTP_BURST", "STOCKBELL_SMTP_MAX_SESSIONS", "STOCKBELL_SMTP_RATE",
	"STOCKBELL_SMTP_URL", "STOCKBELL_TRUSTED_PROXIES", "STOCKBELL_TWILIO_ACCOUNT_SID",
	"STOCKBELL_TWILIO_API_URL", "STOCKBELL_TWILIO_AUTH_TOKEN", "STOCKBELL_TWILIO_FROM",
	"STOCKBELL_TWILIO_MESSAGING_SERVICE_SID", "STOCKBELL_TWILIO_RATE", "STOCKBELL_WORKERS",
}

// toolSettings begin the names of STOCKBELL_ variables that the project's
// tests, benchmarks and test tools read, not the server: set in a
// developer's or CI's environment, they are not mistakes.
var toolSettings = []string{
	"STOCKBELL_TEST_", "STOCKBELL_BENCH_", "STOCKBELL_CHROMIUM", "STOCKBELL_DURABILITY_", "STOCKBELL_FUZZ_TIME",
}

// unknownSetting is a STOCKBELL_ variable the configuration does not read,
// with the known name closest to it ("" when none is close).
type unknownSetting struct {
	Name, Closest string
}

// unknownSettings lists, once each and sorted, the STOCKBELL_ variables
// in environ ("NAME=value" entries, as os.Environ returns them) that the
// configuration does not read. Only names are kept, never values.
func unknownSettings(environ []string) []unknownSetting {
	seen := map[string]bool{}
	var unknown []unknownSetting
	for _, entry := range environ {
		name, _, _ := strings.Cut(entry, "=")
		if !strings.HasPrefix(name, settingPrefix) || seen[name] || isKnownSetting(name) {
			continue
		}
		seen[name] = true
		unknown = append(unknown, unknownSetting{Name: name, Closest: closestSetting(name)})
	}
	sort.Slice(unknown, func(i, j int) bool { return unknown[i].Name < unknown[j].Name })
	return unknown
}

func isKnownSetting(name string) bool {
	for _, known := range knownSettings {
		if name == known {
			return true
		}
	}
	for _, prefix := range toolSettings {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// closestSetting returns the known setting nearest to name by edit
// distance, when it is near enough to be a typing slip: one character in
// four of the part after STOCKBELL_ (at least one, at most three), so
// that STOCKBELL_SMTP_HOST is not taken for STOCKBELL_SMTP_BURST.
func closestSetting(name string) string {
	suffix := strings.TrimPrefix(name, settingPrefix)
	best, bestDistance := "", min(3, max(1, len(suffix)/4))+1
	for _, known := range knownSettings {
		if d := editDistance(suffix, strings.TrimPrefix(known, settingPrefix)); d < bestDistance {
			best, bestDistance = known, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// the fewest characters inserted, deleted or replaced, or pairs of
// neighbours swapped, to turn one into the other. A swap counts as one
// slip, so that STOCKBELL_WORKRES is taken for STOCKBELL_WORKERS.
func editDistance(a, b string) int {
	var beforePrevious []int
	previous := make([]int, len(b)+1)
	for j := range previous {
		previous[j] = j
	}
	for i := 1; i <= len(a); i++ {
		current := make([]int, len(b)+1)
		current[0] = i
		for j := 1; j <= len(b); j++ {
			replace := previous[j-1]
			if a[i-1] != b[j-1] {
				replace++
			}
			current[j] = min(replace, previous[j]+1, current[j-1]+1)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				current[j] = min(current[j], beforePrevious[j-2]+1)
			}
		}
		beforePrevious, previous = previous, current
	}
	return previous[len(b)]
}

// warnUnknownSettings logs one warning per STOCKBELL_ variable in environ
// that the configuration does not read, naming it (never its value) and
// the known setting it is closest to.
func warnUnknownSettings(logger *slog.Logger, environ []string) {
	for _, s := range unknownSettings(environ) {
		attrs := []any{"setting", s.Name}
		if s.Closest != "" {
			attrs = append(attrs, "did_you_mean", s.Closest)
		}
		logger.Warn("an environment variable is not a Stockbell setting and is ignored", attrs...)
	}
}
