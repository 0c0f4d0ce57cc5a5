package main

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// scrape reads the server's /metrics as series → value (the series is
// written as name{label="value",...} with labels sorted by name).
func scrape(t *testing.T, m *Main) map[string]float64 {
	t.Helper()
	code, body := get(t, m.URL()+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	noErr(t, err)
	out := map[string]float64{}
	for name, family := range families {
		for _, metric := range family.Metric {
			var labels []string
			for _, l := range metric.Label {
				labels = append(labels, l.GetName()+"="+strconv.Quote(l.GetValue()))
			}
			key := name
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case metric.Counter != nil:
				out[key] = metric.Counter.GetValue()
			case metric.Gauge != nil:
				out[key] = metric.Gauge.GetValue()
			case metric.Histogram != nil:
				out[key+"_count"] = float64(metric.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

// TestOperatorMetricsMove: each series an operator pages on moves when
// what it counts happens, on the real server with a real SMTP provider
// that takes one recipient, refuses another for good and the third for
// now: subscriptions created, messages sent, failed and retried, send
// latency, restock batches, webhook receipts by outcome, and the queue's
// backlog by kind (the retried message's job waits).
func TestOperatorMetricsMove(t *testing.T) {
	t.Parallel() // it shares nothing: each server has its own database, SMTP sink and metrics registry
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel() // each waits seconds on the shipped queue settings, with a server of its own
			operatorMetricsMove(t, dbURL)
		})
	}
}

func operatorMetricsMove(t *testing.T, dbURL string) {
	sink := smtptest.Start(t, smtptest.Options{})
	sink.RefuseRecipient("gone@example.com", smtptest.Reply{Code: 550, Text: "recipient refused by the test's provider"})
	sink.RefuseRecipient("busy@example.com", smtptest.Reply{Code: 451, Text: "recipient refused by the test's provider"})
	fake := shopifytest.New(shopifytest.NewClock(time.Now()))
	t.Cleanup(fake.Close)
	m := startServer(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL,
		"STOCKBELL_SMTP_URL": sinkURL(sink, 0), "STOCKBELL_EMAIL_FROM": "alerts@stockbell.test",
		"SHOPIFY_API_KEY": fake.APIKey, "SHOPIFY_API_SECRET": fake.Secret, "STOCKBELL_SHOPIFY_ADMIN_URL": fake.AdminURL()}))
	before := scrape(t, m)
	if before[`stockbell_database_up`] != 1 {
		t.Fatalf("stockbell_database_up = %v before anything happened, want 1", before[`stockbell_database_up`])
	}

	for _, email := range []string{"ok@example.com", "gone@example.com", "busy@example.com"} {
		subscribeToDemo(t, m, email)
	}
	webhook := shopifytest.Webhook{Topic: "inventory_levels/update", Shop: e2eShop, Body: levelUpdate(1, 0, time.Now()),
		EventID: "evt-metrics-1", WebhookID: "wh-metrics-1"}
	for _, d := range []shopifytest.Webhook{webhook, webhook, {Topic: webhook.Topic, Shop: e2eShop, Body: webhook.Body, Secret: "not-the-secret"}} {
		resp, err := fake.SendWebhook(m.URL()+"/webhooks/shopify", d)
		noErr(t, err)
		resp.Body.Close() // the second is Shopify's retry of the first; the third is not Shopify's
	}
	shop, err := m.DB.FindShopByDomain(bg(), stockbell.PlatformDemo, demo.Domain)
	noErr(t, err)
	_, err = m.DB.ApplyStockChange(bg(), stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: "sweater-m",
		LocationID: demo.Location, Available: 5, At: time.Now(), Read: &stockbell.StockRead{}, Source: "demo:" + demo.TopicRestock})
	noErr(t, err)

	want := map[string]float64{
		`stockbell_subscriptions_created_total{channel="email"}`:                      3,
		`stockbell_messages_sent_total{channel="email"}`:                              1,
		`stockbell_message_send_duration_seconds{channel="email"}_count`:              1,
		`stockbell_messages_failed_total{channel="email"}`:                            1,
		`stockbell_messages_retried_total{channel="email"}`:                           1,
		`stockbell_restock_batches_total`:                                             1,
		`stockbell_webhook_receipts_total{outcome="stored",platform="shopify"}`:       1,
		`stockbell_webhook_receipts_total{outcome="duplicate",platform="shopify"}`:    1,
		`stockbell_webhook_receipts_total{outcome="unauthorized",platform="shopify"}`: 1,
		// The message refused for now waits for its retry.
		`stockbell_jobs{kind="send_message",state="retryable"}`: 1,
	}
	missing := "nothing read yet"
	for deadline := time.Now().Add(30 * time.Second); missing != "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		missing = moved(before, scrape(t, m), want)
	}
	if missing != "" {
		logJobsAndEvents(t, m)
		t.Fatal(missing)
	}
}

// moved returns what did not move by at least the wanted amount, or "".
func moved(before, after, want map[string]float64) string {
	var missing []string
	for series, by := range want {
		if after[series]-before[series] < by {
			missing = append(missing, series+" moved by "+strconv.FormatFloat(after[series]-before[series], 'f', -1, 64))
		}
	}
	return strings.Join(missing, "; ")
}

// subscribeToDemo subscribes an email address to the demo shop's sold-out
// sweater through the storefront API, as the snippet does.
func subscribeToDemo(t *testing.T, m *Main, email string) {
	t.Helper()
	body := `{"shop":"` + demo.Domain + `","variant_id":"sweater-m","email":"` + email + `","channels":["email"]}`
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, m.URL()+"/api/storefront/v1/subscriptions", bytes.NewBufferString(body))
	noErr(t, err)
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Origin", m.URL())
	resp, err := http.DefaultClient.Do(req)
	noErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("subscribing %s answered %d", email, resp.StatusCode)
	}
}

// TestFirstScrapeServesEverySeries: the first scrape of a server that has
// just started, before anything happened, already serves the send-latency
// histogram for each channel, the counters the README lists and every
// series docs/alerts.yml names, so that dashboards and alerts read zeros
// rather than "no data". The one exception is the HTTP request counter,
// labelled by the route and status each request had: its first series
// is the first request's, this scrape itself.
func TestFirstScrapeServesEverySeries(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	served := scrape(t, m)
	want := []string{
		`stockbell_message_send_duration_seconds{channel="email"}_count`,
		`stockbell_message_send_duration_seconds{channel="sms"}_count`,
		`stockbell_restock_batches_total`,
		`stockbell_subscriptions_created_total{channel="email"}`,
		`stockbell_confirmations_total{channel="sms",method="reply"}`,
		`stockbell_messages_held_for_quiet_hours_total{channel="sms"}`,
		`stockbell_messages_skipped_total{channel="email",reason="smart_sending"}`,
		`stockbell_messages_skipped_total{channel="sms",reason="smart_sending"}`,
		`stockbell_messages_put_off_total{channel="email",reason="smart_sending"}`,
	}
	rules, err := os.ReadFile("../docs/alerts.yml")
	noErr(t, err)
	for _, name := range seriesName.FindAllString(string(rules), -1) {
		if name != "stockbell_http_requests_total" {
			want = append(want, name)
		}
	}
	for _, series := range want {
		found := false
		for key := range served {
			found = found || key == series || strings.HasPrefix(key, series+"{")
		}
		if !found {
			t.Errorf("the first scrape serves no %s", series)
		}
	}
}

// TestFirstScrapeServesEverySkipReason: every reason README.md lists for
// stockbell_messages_skipped_total, "other" included, and for
// stockbell_messages_put_off_total is served at zero for each channel from
// the first scrape, so that a rule on any of them reads zero rather than
// "no data".
func TestFirstScrapeServesEverySkipReason(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	noErr(t, err)
	served := scrape(t, startServer(t, testEnv(t, nil)))
	for _, name := range []string{"stockbell_messages_skipped_total", "stockbell_messages_put_off_total"} {
		reasons := listedReasons(string(readme), name)
		if len(reasons) < 2 {
			t.Fatalf("README.md lists no reasons for %s: %q", name, reasons)
		}
		for _, reason := range reasons {
			for _, ch := range []string{"email", "sms"} {
				series := name + `{channel="` + ch + `",reason="` + reason + `"}`
				if value, ok := served[series]; !ok || value != 0 {
					t.Errorf("the first scrape serves %s = %v (served: %v), want 0", series, value, ok)
				}
			}
		}
	}
}

// listedReasons returns the reasons README.md lists, in code spans, in the
// parentheses after the series name{channel,reason}.
func listedReasons(readme, name string) []string {
	_, listed, _ := strings.Cut(readme, "`"+name+"{channel,reason}` (")
	listed, _, _ = strings.Cut(listed, ")")
	var reasons []string
	for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(listed, -1) {
		reasons = append(reasons, m[1])
	}
	return reasons
}

// TestWebhookSeriesOnlyForPlatformsServed: the first scrape serves
// stockbell_webhook_receipts_total at zero, for every outcome, for each
// platform whose webhook route the server serves, and for no other.
// Magento's and PrestaShop's modules post to every server; Shopify's and
// BigCommerce's webhooks reach only a server their app is configured on,
// so a server without them serves no series that could never move.
func TestWebhookSeriesOnlyForPlatformsServed(t *testing.T) {
	apps := map[string]string{"SHOPIFY_API_KEY": "key", "SHOPIFY_API_SECRET": "secret",
		"BIGCOMMERCE_CLIENT_ID": "id", "BIGCOMMERCE_CLIENT_SECRET": "secret"}
	for name, c := range map[string]struct {
		vars   map[string]string
		served []string
	}{
		"without the apps": {nil, []string{"magento", "prestashop"}},
		"with both apps":   {apps, []string{"bigcommerce", "magento", "prestashop", "shopify"}},
	} {
		t.Run(name, func(t *testing.T) {
			outcomes := map[string]int{}
			for series := range scrape(t, startServer(t, testEnv(t, c.vars))) {
				if m := webhookSeries.FindStringSubmatch(series); m != nil {
					outcomes[m[1]]++
				}
			}
			want := map[string]int{}
			for _, p := range c.served {
				want[p] = 6 // stored, duplicate, unauthorized, invalid, too_large, internal
			}
			if !maps.Equal(outcomes, want) {
				t.Errorf("webhook series per platform = %v, want %v", outcomes, want)
			}
		})
	}
}

// webhookSeries matches a webhook receipts series, capturing its platform.
var webhookSeries = regexp.MustCompile(`^stockbell_webhook_receipts_total\{outcome="[a-z_]+",platform="([a-z]+)"\}$`)
