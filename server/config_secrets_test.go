package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestSecretsWithWhitespaceAreUsedAsGiven: a secret read with whitespace
// around it (a secrets file's trailing newline) is used exactly as given,
// so running deployments keep their keys, and the configuration names
// every such setting whose value the whitespace changes.
func TestSecretsWithWhitespaceAreUsedAsGiven(t *testing.T) {
	hexKey := strings.Repeat("ab", 32)
	vars := map[string]string{
		"STOCKBELL_SECRET_KEY":          hexKey + "\n",
		"STOCKBELL_SECRET_KEY_PREVIOUS": strings.Repeat("cd", 32),
		"STOCKBELL_METRICS_TOKEN":       " " + strings.Repeat("t", 16),
		"STOCKBELL_TWILIO_ACCOUNT_SID":  "AC1", "STOCKBELL_TWILIO_AUTH_TOKEN": "token\r\n", "STOCKBELL_TWILIO_FROM": "+15005550006",
	}
	cfg, err := loadConfig(&cliEnv{getenv: testEnv(t, vars)})
	if err != nil {
		t.Fatal(err)
	}
	// Hex digits are base64 digits too, and base64 skips the newline: the
	// key is the 48 bytes that base64 reads, as before, not the hex key.
	if asHex, _ := hex.DecodeString(hexKey); len(cfg.SecretKey) != 48 || bytes.Equal(cfg.SecretKey, asHex) || cfg.MetricsToken != vars["STOCKBELL_METRICS_TOKEN"] || cfg.Delivery.Twilio.AuthToken != "token\r\n" {
		t.Errorf("values changed: key %q, metrics token %q, auth token %q", cfg.SecretKey, cfg.MetricsToken, cfg.Delivery.Twilio.AuthToken)
	}
	want := []string{"STOCKBELL_SECRET_KEY", "STOCKBELL_METRICS_TOKEN", "STOCKBELL_TWILIO_AUTH_TOKEN"}
	if !reflect.DeepEqual(cfg.UntrimmedSecrets, want) {
		t.Errorf("untrimmed secrets %v, want %v", cfg.UntrimmedSecrets, want)
	}
	// A newline after a base64 key changes nothing: the decoder skips it.
	b64 := "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="
	cfg, err = loadConfig(&cliEnv{getenv: testEnv(t, map[string]string{"STOCKBELL_SECRET_KEY": b64 + "\n"})})
	if err != nil || len(cfg.UntrimmedSecrets) != 0 || len(cfg.SecretKey) != 32 {
		t.Errorf("base64 key with a newline: %v, %d bytes, untrimmed %v", err, len(cfg.SecretKey), cfg.UntrimmedSecrets)
	}
}

// TestServeWarnsOnceOfASecretWithWhitespace: the server's start-up log
// warns once per such setting, naming it and never printing the value.
func TestServeWarnsOnceOfASecretWithWhitespace(t *testing.T) {
	key := strings.Repeat("ab", 32)
	cfg, err := loadConfig(&cliEnv{getenv: testEnv(t, map[string]string{"STOCKBELL_SECRET_KEY": key + "\n", "STOCKBELL_LOG_FORMAT": "json"})})
	if err != nil {
		t.Fatal(err)
	}
	logs := startAndStopLog(t, cfg)
	var warnings []string
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var record struct{ Level, Setting string }
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if record.Setting != "" && record.Level == "WARN" {
			warnings = append(warnings, record.Setting)
		}
	}
	if !reflect.DeepEqual(warnings, []string{"STOCKBELL_SECRET_KEY"}) || strings.Contains(logs, key) {
		t.Errorf("warnings %v in:\n%s", warnings, logs)
	}
}

// startAndStopLog starts a server with the configuration, stops it, and
// returns what it logged.
func startAndStopLog(t *testing.T, cfg *Config) string {
	t.Helper()
	var logs bytes.Buffer
	m := NewMain(cfg, newLogger(cfg, &logs))
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	if err := m.Close(); err != nil {
		t.Fatalf("close: %v\n%s", err, logs.String())
	}
	return logs.String()
}
