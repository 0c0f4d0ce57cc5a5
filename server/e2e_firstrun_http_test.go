package main

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
)

// TestDevelopmentStartLeadsToTheDemo starts a development server as `go
// run ./server` does: the start-up log says messages are kept in the
// admin's Outbox and prints the demo shop's one-time sign-in URL, which
// opens its admin once; the start page links to the demo product page and
// to the demo shop's admin, and names the Reports page; the product page carries the snippet and the
// variants' data.
func TestDevelopmentStartLeadsToTheDemo(t *testing.T) {
	m, logs := startServerWithLogs(t, testEnv(t, nil))
	// The start page sends the newcomer to the admin's Outbox for the
	// alert: the start-up log says the same of where messages go.
	if delivery := regexp.MustCompile(`msg=delivery .*`).FindString(logs.String()); !strings.Contains(delivery, "Outbox") {
		t.Errorf("the start-up log does not say that messages are kept in the admin's Outbox: %q", delivery)
	}
	found := regexp.MustCompile(`sign_in_url="?(http://[^"\s]+)`).FindStringSubmatch(logs.String())
	if found == nil {
		t.Fatalf("the start-up log prints no sign-in URL:\n%s", logs.String())
	}
	link, err := url.Parse(found[1])
	if err != nil || link.Path != "/admin/sign-in" || link.Query().Get("token") == "" {
		t.Fatalf("the logged sign-in URL %q", found[1])
	}
	base, _ := url.Parse(m.URL())
	link.Host = base.Host // the public URL names localhost; the test server listens on 127.0.0.1
	client := noRedirectClient()
	if status := signInWith(t, client, link.String()); status != http.StatusSeeOther {
		t.Fatalf("signing in with the logged URL: %d", status)
	}
	if status, body := clientGet(t, client, m.URL()+"/admin"); status != http.StatusOK || !strings.Contains(body, "Stockbell Demo Shop") {
		t.Fatalf("the demo shop's dashboard after signing in: %d", status)
	}
	if status := signInWith(t, noRedirectClient(), link.String()); status != http.StatusUnauthorized {
		t.Errorf("the logged URL a second time: %d, want 401", status)
	}

	status, start := get(t, m.URL()+"/")
	if status != http.StatusOK || !strings.Contains(start, `href="/demo"`) || !strings.Contains(start, `action="/demo/admin"`) {
		t.Fatalf("start page: %d, want links to /demo and the demo admin\n%.2000s", status, start)
	}
	// The terminal's sign-in command names a shop's domain: the start page
	// says the demo shop's.
	if !strings.Contains(start, "<code>"+demo.Domain+"</code>") {
		t.Errorf("the start page does not give the demo shop's domain for the sign-in command:\n%.3000s", start)
	}
	// The loop ends on the reports, which count what the alert did.
	if !strings.Contains(start, "<em>Reports</em>") {
		t.Errorf("the start page's loop does not lead to the Reports page:\n%.3000s", start)
	}
	shop, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain)
	if err != nil {
		t.Fatal(err)
	}
	snippet := regexp.MustCompile(`<script src="[^"]*snippet[^"]*" data-shop="` + regexp.QuoteMeta(shop.PublicKey) + `"`)
	status, product := get(t, m.URL()+"/demo")
	if status != http.StatusOK || !snippet.MatchString(product) || !strings.Contains(product, `data-stockbell-variant`) {
		t.Fatalf("demo product page: %d, want the snippet and the variants' data\n%.2000s", status, product)
	}
}

// TestProductionHasNoDemo: a production server seeds no demo shop and
// serves neither the start page, the demo product page, the demo admin's
// door nor the outbox.
func TestProductionHasNoDemo(t *testing.T) {
	m, logs := startServerWithLogs(t, testEnv(t, production))
	if _, err := m.DB.FindShopByDomain(context.Background(), stockbell.PlatformDemo, demo.Domain); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		t.Fatalf("production has a demo shop: %v", err)
	}
	if strings.Contains(logs.String(), "sign_in_url") {
		t.Errorf("production logs a sign-in URL:\n%s", logs.String())
	}
	for _, path := range []string{"/", "/demo", "/admin/outbox"} {
		if status, _ := get(t, m.URL()+path); status != http.StatusNotFound {
			t.Errorf("production GET %s: %d, want 404", path, status)
		}
	}
	resp, err := http.Post(m.URL()+"/demo/admin", "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("production POST /demo/admin: %d", resp.StatusCode)
	}
}

// startServerWithLogs is startServer keeping what the server logs.
func startServerWithLogs(t *testing.T, getenv func(string) string) (*Main, *syncBuffer) {
	t.Helper()
	cfg, err := loadConfig(&cliEnv{ctx: context.Background(), getenv: getenv, stdout: io.Discard, stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	m := NewMain(cfg, newLogger(cfg, logs))
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	t.Cleanup(func() { m.Close() })
	return m, logs
}

// syncBuffer is a bytes.Buffer the server's goroutines may log to while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func clientGet(t *testing.T, client *http.Client, target string) (int, string) {
	t.Helper()
	resp, err := client.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestStartPageSaysToSellOutSizeMAgain: once a simulated restock has
// brought size M back, the start page no longer says it is sold out: it
// says to sell it out again in the demo shop's admin first; sold out
// again, the page is as on the first run.
func TestStartPageSaysToSellOutSizeMAgain(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	const soldOut, sellOutFirst = "size M of the sweater is sold out", "press <em>Sell out</em> on Alpine Wool Sweater – M"
	setStock := func(available int) {
		t.Helper()
		shop, _ := demoSizeM(t, m)
		if _, err := m.DB.ApplyStockChange(context.Background(), stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: demo.FeaturedVariant,
			LocationID: demo.Location, Available: available, At: time.Now(), Read: &stockbell.StockRead{}, Source: "demo:" + demo.TopicRestock}); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		name      string
		available int
		want, not string
	}{
		{"first run", -1, soldOut, sellOutFirst},
		{"after a restock of M", 5, sellOutFirst, soldOut},
		{"M sold out again", 0, soldOut, sellOutFirst},
	} {
		if step.available >= 0 {
			setStock(step.available)
		}
		status, start := get(t, m.URL()+"/")
		if status != http.StatusOK || !strings.Contains(start, step.want) || strings.Contains(start, step.not) {
			t.Errorf("%s: the start page (%d) should say %q and not %q:\n%.3000s", step.name, status, step.want, step.not, start)
		}
	}
}

// TestDemoProductThatIsNotThereSaysSo: a demo product page of a handle
// the demo shop has not (a mistyped /demo/HANDLE) answers 404 with a page
// that says so, naming the handle, and leads to the demo's products and
// the start page, rather than speaking of the admin.
func TestDemoProductThatIsNotThereSaysSo(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	status, body := get(t, m.URL()+"/demo/trail-runners")
	_, main, _ := strings.Cut(html.UnescapeString(body), "<main")
	if status != http.StatusNotFound || !strings.Contains(main, `The demo shop has no product "trail-runners"`) || strings.Contains(main, "admin") {
		t.Errorf("a demo product that is not there: %d\n%.2000s", status, body)
	}
	for _, link := range []string{`href="/demo"`, `href="/demo/trail-runner"`, `href="/"`} {
		if !strings.Contains(body, link) {
			t.Errorf("the page of a demo product that is not there has no link %s:\n%.2000s", link, body)
		}
	}
}

// TestDemoProductWithoutSizesSpeaksOfItself: the demo product page of a
// product without sizes (the tote) does not speak of its sold-out sizes.
func TestDemoProductWithoutSizesSpeaksOfItself(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	for path, want := range map[string]string{"/demo": "Sold-out sizes show", "/demo/canvas-tote": "Sold out, this product shows"} {
		status, body := get(t, m.URL()+path)
		if page := html.UnescapeString(body); status != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("%s: %d, want it to say %q:\n%.2500s", path, status, want, body)
		}
	}
}

// TestDemoPathsWithATrailingSlashLeadToTheirPage: /demo/ and
// /demo/HANDLE/, as a newcomer may type them, lead to the page without
// the slash (its query kept), rather than answering a JSON error.
func TestDemoPathsWithATrailingSlashLeadToTheirPage(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	client := noRedirectClient()
	for path, want := range map[string]string{"/demo/": "/demo", "/demo/trail-runner/?variant=runner-43": "/demo/trail-runner?variant=runner-43"} {
		resp, err := client.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want %d to %q", path, resp.StatusCode, resp.Header.Get("Location"), http.StatusMovedPermanently, want)
		}
	}
}

// TestStartPageSaysWhatReportsAndTextsDo: the start page's loop tells the
// newcomer what they will meet. Reports counts the clicks on an email's
// link as well as on a text message's (the snippet reports the email's on
// the product page it leads to). A text to a number of a country where
// subscribers confirm first (the dialog offers the United States' +1 to an
// American browser) is not alerted until confirmed: the page says so, and
// that the confirmation text, with its link, is in the Outbox.
func TestStartPageSaysWhatReportsAndTextsDo(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	shop, sizeM := demoSizeM(t, m)
	sub, _, err := m.DB.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: sizeM.ID,
		Phone: "+12015550123", Channels: stockbell.Channels{stockbell.ChannelSMS}, SMSConsent: true, Source: "snippet"})
	if err != nil || sub.Status != stockbell.SubscriptionPending {
		t.Fatalf("a US number's sign-up: %+v (%v), want it pending until confirmed, as the start page says", sub, err)
	}
	status, start := get(t, m.URL()+"/")
	loop := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(start, ""))
	var missing []string
	for _, want := range []string{"an email's", "the United States", "confirm", "Outbox"} {
		if !strings.Contains(loop, want) {
			missing = append(missing, want)
		}
	}
	if status != http.StatusOK || len(missing) > 0 {
		t.Errorf("the start page (%d) does not say %q:\n%s", status, missing, loop)
	}
}
