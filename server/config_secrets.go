package main

import (
	"bytes"
	"log/slog"
	"strings"
)

// secretSettings are the variables holding secrets that are used exactly
// as given, each with how its value is read. Whitespace around a value (a
// secrets file's trailing newline, say) is part of it: trimming it now
// would change the keys of deployments that run with it, so the
// configuration names such a setting in Config.UntrimmedSecrets and the
// server warns of it at start. SHOPIFY_API_SECRET,
// SHOPIFY_API_SECRET_PREVIOUS and BIGCOMMERCE_CLIENT_SECRET are trimmed
// where they are read, and STOCKBELL_SMTP_URL with whitespace is refused.
var secretSettings = []struct {
	name string
	read func(string) []byte
}{
	{"STOCKBELL_SECRET_KEY", decodeKey},
	{"STOCKBELL_SECRET_KEY_PREVIOUS", decodeKey},
	{"STOCKBELL_METRICS_TOKEN", asBytes},
	{"STOCKBELL_TWILIO_AUTH_TOKEN", asBytes},
	{"STOCKBELL_DATABASE_URL", asBytes}, // may hold a password
}

func asBytes(s string) []byte { return []byte(s) }

// untrimmedSecrets names the secret settings whose value, as read, differs
// from the value without the whitespace around it: a base64 key followed
// by a newline is not one, since the decoder skips line breaks.
func untrimmedSecrets(getenv func(string) string) []string {
	var names []string
	for _, s := range secretSettings {
		raw := getenv(s.name)
		if trimmed := strings.TrimSpace(raw); trimmed != raw && !bytes.Equal(s.read(raw), s.read(trimmed)) {
			names = append(names, s.name)
		}
	}
	return names
}

// warnUntrimmedSecrets logs one warning per secret setting with whitespace
// around its value, naming the setting and never the value.
func warnUntrimmedSecrets(logger *slog.Logger, cfg *Config) {
	for _, name := range cfg.UntrimmedSecrets {
		logger.Warn("a secret setting has whitespace around its value (a trailing newline from a secrets file, say), which is used as part of it: "+
			"give every replica and command the same bytes; to drop the whitespace, change the value everywhere at once "+
			"(for STOCKBELL_SECRET_KEY that is a key rotation, see README.md)", "setting", name)
	}
}
