package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func getWith(t *testing.T, url, method string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	noErr(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	noErr(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var production = map[string]string{"STOCKBELL_ENV": "production", "STOCKBELL_PUBLIC_URL": "https://bell.example",
	"STOCKBELL_SECRET_KEY": strings.Repeat("ab", 32)}

func with(base map[string]string, more ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(more); i += 2 {
		out[more[i]] = more[i+1]
	}
	return out
}

// TestMetricsRefusedOnThePublicListener: in production /metrics is not
// served on the public listener unless STOCKBELL_METRICS_TOKEN is set, and
// then only to a request bearing it.
func TestMetricsRefusedOnThePublicListener(t *testing.T) {
	m := startServer(t, testEnv(t, production))
	if code, _ := getWith(t, m.URL()+"/metrics", http.MethodGet); code != http.StatusNotFound {
		t.Fatalf("/metrics without a token or an internal address = %d, want 404", code)
	}
	token := "metrics-token-0123456789"
	m = startServer(t, testEnv(t, with(production, "STOCKBELL_METRICS_TOKEN", token)))
	for _, auth := range []string{"", "Bearer wrong-token-0123456789", token, "Basic " + token} {
		if code, _ := getWith(t, m.URL()+"/metrics", http.MethodGet, "Authorization", auth); code != http.StatusUnauthorized {
			t.Errorf("/metrics with Authorization %q = %d, want 401", auth, code)
		}
	}
	if code, body := getWith(t, m.URL()+"/metrics", http.MethodGet, "Authorization", "Bearer "+token); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("/metrics with the token = %d", code)
	}
}

// TestMetricsOnAnInternalAddress: with STOCKBELL_METRICS_ADDR, /metrics is
// served there and the public listener answers 404.
func TestMetricsOnAnInternalAddress(t *testing.T) {
	m := startServer(t, testEnv(t, with(production, "STOCKBELL_METRICS_ADDR", "127.0.0.1:0")))
	if code, _ := getWith(t, m.URL()+"/metrics", http.MethodGet); code != http.StatusNotFound {
		t.Fatalf("public /metrics = %d, want 404", code)
	}
	if code, body := getWith(t, m.MetricsURL()+"/metrics", http.MethodGet); code != 200 || !strings.Contains(body, "stockbell_http_requests_total") {
		t.Fatalf("internal /metrics = %d", code)
	}
	if code, _ := getWith(t, m.MetricsURL()+"/admin", http.MethodGet); code != http.StatusNotFound {
		t.Fatalf("the internal listener serves more than /metrics: /admin = %d", code)
	}
}

// TestMetricsLabelsComeFromAFixedSet: a made-up method is counted as
// OTHER, and paths are counted by route template, so no label value ever
// carries what a client sent.
func TestMetricsLabelsComeFromAFixedSet(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	getWith(t, m.URL()+"/healthz", "FROBNICATE")
	getWith(t, m.URL()+"/unsubscribe/secret-token-in-the-path", http.MethodGet)
	getWith(t, m.URL()+"/no/such/route/secret-path", "PROPFIND")
	_, body := getWith(t, m.URL()+"/metrics", http.MethodGet)
	for _, leak := range []string{"FROBNICATE", "PROPFIND", "secret-token-in-the-path", "secret-path"} {
		if strings.Contains(body, leak) {
			t.Errorf("/metrics carries %q, which a client sent", leak)
		}
	}
	for _, want := range []string{`method="OTHER"`, `route="/unsubscribe/{token}"`, `route="unmatched"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestMetricsSettingsAreChecked(t *testing.T) {
	for setting, value := range map[string]string{"STOCKBELL_METRICS_ADDR": "nonsense", "STOCKBELL_METRICS_TOKEN": "short"} {
		code, _, stderr := run(t, testEnv(t, map[string]string{setting: value}), "serve")
		if code == 0 || !strings.Contains(stderr, setting+":") {
			t.Errorf("%s=%q: exit %d, %q", setting, value, code, stderr)
		}
	}
}
