package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// apiCall makes a JSON admin API request with a key ("" for none).
func apiCall(t *testing.T, method, url, key, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, url, raw)
		}
	}
	return resp.StatusCode, out
}

// lastLine is the last non-empty line of a command's output.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// TestAPIKeyFromTheCommandLine: `apikey create` prints a key alone on its
// last line; the key reads and changes its shop's settings over the real
// server; once revoked (or when unknown, or absent) the API answers 401
// with the JSON error shape.
func TestAPIKeyFromTheCommandLine(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
			m := startServer(t, getenv)
			storetest.MustShop(t, m.DB, stockbell.PlatformFeed, "api.example")
			code, stdout, stderr := run(t, getenv, "apikey", "create", "--shop", "api.example", "--name", "ERP")
			key := lastLine(stdout)
			if code != 0 || !strings.HasPrefix(key, stockbell.APIKeyPrefix) || strings.ContainsAny(key, " \t") {
				t.Fatalf("apikey create: exit %d, last line %q, stderr %q", code, key, stderr)
			}
			settingsURL := m.URL() + "/api/v1/settings"
			status, body := apiCall(t, "PUT", settingsURL, key, `{"min_inventory":5,"per_unit":3,"wait":"2h"}`)
			if status != 200 || body["min_inventory"] != 5.0 || body["per_unit"] != 3.0 || body["wait"] != "2h" {
				t.Fatalf("PUT settings: %d %v", status, body)
			}
			if status, body = apiCall(t, "GET", settingsURL, key, ""); status != 200 || body["wait"] != "2h" {
				t.Fatalf("GET settings: %d %v", status, body)
			}
			if code, _, stderr := run(t, getenv, "apikey", "revoke", "--shop", "api.example", "--id", "1"); code != 0 {
				t.Fatalf("apikey revoke: %s", stderr)
			}
			for name, k := range map[string]string{"revoked": key, "unknown": stockbell.APIKeyPrefix + "nope", "none": ""} {
				status, body := apiCall(t, "GET", settingsURL, k, "")
				apiErr, _ := body["error"].(map[string]any)
				if status != 401 || apiErr["code"] != "unauthorized" || apiErr["message"] == "" {
					t.Errorf("%s key: %d %v, want 401 with the JSON error", name, status, body)
				}
			}
		})
	}
}
