package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	"github.com/stockbell/stockbell/server/web"
)

// The e2e PrestaShop shop, installed in /boutique: a T-shirt whose small
// combination is sold out, a mug sold out that follows the shop's default
// (deny), a poster taking orders when out of stock.
const (
	e2ePSShirt, e2ePSSmall, e2ePSMug, e2ePSPoster = int64(1), int64(11), int64(2), int64(3)
	// e2ePSCap and e2ePSScarf are made, and deleted, in the shop after it
	// was connected.
	e2ePSCap, e2ePSScarf = int64(4), int64(5)
)

func prestaShopFake(t *testing.T) *prestashoptest.Fake {
	fake := prestashoptest.New("/boutique")
	t.Cleanup(fake.Close)
	fake.Do(func(s *prestashoptest.Shop) {
		s.OptionValues = map[int64]string{1: "S"}
		s.Products = []*prestashoptest.Product{
			{ID: e2ePSShirt, Name: "Hummingbird T-shirt", Price: "19.900000", Active: true, Updated: time.Now().Add(-time.Hour),
				Combinations: []*prestashoptest.Combination{{ID: e2ePSSmall, Reference: "demo_1_s", Price: "0", OptionValues: []int64{1}}}},
			{ID: e2ePSMug, Name: "Mug", Price: "8.000000", Active: true, OutOfStock: 2},
			{ID: e2ePSPoster, Name: "Poster", Price: "12.000000", Active: true, OutOfStock: 1},
		}
	})
	return fake
}

// psShop is the connected shop as the module names it, and what it posts with.
type psShop struct {
	m *Main
	// admin is the merchant's browser, signed in by the connect page.
	admin  *http.Client
	fake   *prestashoptest.Fake
	domain string
	secret string
}

// TestPrestaShopConnectToRestockNotification runs PrestaShop on the real
// server, on each database: the connect page (CSRF form, wrong key refused
// with nothing stored, the module secret shown once, the admin opened);
// the module's JSON connect, which renews the secret; the catalog sync; a
// shopper's subscription; a restock the module's own PHP signing code
// posts, which notifies the subscriber by email through the engine; every
// refused post (bad signature, stale, another shop's body, the secret
// before renewal) storing nothing; an unknown variant in the sync log; a
// missed post recovered by reconciliation; a product deleted in the shop
// marked deleted by the catalog sync, refused by the storefront and
// marked in the admin; a combination removed from a product likewise.
func TestPrestaShopConnectToRestockNotification(t *testing.T) {
	t.Parallel() // a server of its own, mostly waiting on its queue: see startServer
	requirePHP(t)
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			sink := smtptest.Start(t, smtptest.Options{})
			fake := prestaShopFake(t)
			m := startServerAt(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL,
				"STOCKBELL_SMTP_URL": sinkURL(sink, 0), "STOCKBELL_EMAIL_FROM": "alerts@stockbell.test"})
			ps := &psShop{m: m, fake: fake, domain: strings.TrimPrefix(fake.URL(), "http://")}
			firstSecret := ps.connectWithPage(t)
			ps.secret = ps.connectWithJSON(t)
			if ps.secret == firstSecret {
				t.Fatal("connecting again did not renew the module secret")
			}
			shop := ps.synced(t, 3)
			ps.restock(t, shop, sink)
			ps.refusedPosts(t, firstSecret)
			ps.unknownVariant(t, shop)
			ps.reconciled(t, shop, sink)
			ps.deletedInShop(t, shop)
			ps.combinationRemoved(t, shop)
		})
	}
}

// connectWithPage connects through the page a merchant opens: a wrong key
// shows the form again with why and stores nothing; the right one signs
// the merchant in and shows the module secret.
func (ps *psShop) connectWithPage(t *testing.T) string {
	t.Helper()
	browser := noRedirectClient()
	connect := ps.m.URL() + "/auth/prestashop/connect"
	status, body := postConnectForm(t, browser, connect, ps.fake.URL(), strings.Repeat("Z", 32))
	if status != http.StatusBadRequest || !strings.Contains(body, "refused the webservice key") || !strings.Contains(body, ps.fake.URL()) {
		t.Fatalf("a wrong key answered %d: %s", status, body)
	}
	if _, err := ps.m.DB.FindShopByDomain(context.Background(), stockbell.PlatformPrestaShop, ps.domain); stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		t.Fatalf("a refused connect stored the shop: %v", err)
	}
	status, body = postConnectForm(t, browser, connect, ps.fake.URL()+"/", prestashoptest.Key)
	secret := moduleSecretOf(body)
	if status != http.StatusCreated || len(secret) != 64 || !strings.Contains(body, ps.m.URL()) {
		t.Fatalf("connect answered %d: %s", status, body)
	}
	if status, _ := adminPage(t, browser, ps.m); status != http.StatusOK {
		t.Fatalf("the admin after connect: %d", status)
	}
	ps.admin = browser
	// Without this browser's nonce the form is refused.
	resp, err := http.PostForm(connect, url.Values{"shop_url": {ps.fake.URL()}, "webservice_key": {prestashoptest.Key}, "csrf_token": {"forged"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a forged connect form answered %d", resp.StatusCode)
	}
	return secret
}

func postConnectForm(t *testing.T, browser *http.Client, connect, shopURL, key string) (int, string) {
	t.Helper()
	_, page := clientGet(t, browser, connect)
	nonce := formNonce.FindStringSubmatch(page)
	if nonce == nil {
		t.Fatalf("no nonce in the connect page: %s", page)
	}
	resp, err := browser.PostForm(connect, url.Values{"shop_url": {shopURL}, "webservice_key": {key}, "csrf_token": {nonce[1]}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func moduleSecretOf(page string) string {
	_, rest, ok := strings.Cut(page, `<code id="module-secret">`)
	if !ok {
		return ""
	}
	secret, _, _ := strings.Cut(rest, "<")
	return secret
}

// connectWithJSON connects as the module's configuration page does; a
// wrong key is a 400 naming the field.
func (ps *psShop) connectWithJSON(t *testing.T) string {
	t.Helper()
	status, answer := ps.postJSONConnect(t, strings.Repeat("Z", 32))
	if status != http.StatusBadRequest || !strings.Contains(answer, `"field":"webservice_key"`) {
		t.Fatalf("the module's connect with a wrong key answered %d: %s", status, answer)
	}
	status, answer = ps.postJSONConnect(t, prestashoptest.Key)
	var got struct {
		Shop, ModuleSecret, WebhookURL string
	}
	json.Unmarshal([]byte(strings.NewReplacer("module_secret", "ModuleSecret", "webhook_url", "WebhookURL").Replace(answer)), &got)
	if status != http.StatusCreated || got.Shop != ps.domain || len(got.ModuleSecret) != 64 || got.WebhookURL != ps.m.URL()+"/webhooks/prestashop" {
		t.Fatalf("the module's connect answered %d: %s", status, answer)
	}
	return got.ModuleSecret
}

func (ps *psShop) postJSONConnect(t *testing.T, key string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"shop_url": ps.fake.URL(), "webservice_key": key})
	resp, err := http.Post(ps.m.URL()+"/auth/prestashop/connect", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

// synced waits for the catalog sync and subscribes shoppers: to the sold-out
// small shirt and mug; the poster takes backorders and refuses them.
func (ps *psShop) synced(t *testing.T, variants int) *stockbell.Shop {
	t.Helper()
	ctx := context.Background()
	shop, err := ps.m.DB.FindShopByDomain(ctx, stockbell.PlatformPrestaShop, ps.domain)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, ps.m, "the catalog sync", func() bool {
		_, total, err := ps.m.DB.FindVariants(ctx, stockbell.VariantFilter{ShopID: &shop.ID})
		return err == nil && total == variants
	})
	for variant, want := range map[string]int{"1-11": http.StatusCreated, "2-0": http.StatusCreated, "3-0": http.StatusUnprocessableEntity} {
		if status := ps.subscribe(t, variant, "ada@example.com"); status != want {
			t.Fatalf("subscription to %s answered %d, want %d", variant, status, want)
		}
	}
	return shop
}

// subscribe posts as the snippet does on the shop's product page, naming
// the shop as data-shop="{$urls.base_url}" does.
func (ps *psShop) subscribe(t *testing.T, variant, email string) int {
	t.Helper()
	status, _ := ps.subscribeAnswer(t, variant, email)
	return status
}

// subscribeAnswer is subscribe with the API's answer.
func (ps *psShop) subscribeAnswer(t *testing.T, variant, email string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"shop": ps.fake.URL() + "/", "variant_id": variant, "email": email, "channels": []string{"email"}})
	req, _ := http.NewRequest(http.MethodPost, ps.m.URL()+"/api/storefront/v1/subscriptions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Origin", strings.TrimSuffix(ps.fake.URL(), "/boutique"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

// restock: the shop restocks the small shirt and the module, signing with
// its own PHP code, posts it; the subscriber gets her email.
func (ps *psShop) restock(t *testing.T, shop *stockbell.Shop, sink *smtptest.Server) {
	t.Helper()
	ps.fake.SetQuantity(e2ePSShirt, e2ePSSmall, 2)
	body, header := phpSignedPost(t, ps.secret, ps.fake.URL()+"/", e2ePSShirt, e2ePSSmall, 2)
	if status, answer := ps.post(t, body, header); status != http.StatusOK {
		t.Fatalf("the module's post answered %d: %s", status, answer)
	}
	if status, answer := ps.post(t, body, header); status != http.StatusOK || !strings.Contains(answer, `"duplicate":true`) {
		t.Fatalf("the module's post again answered %d: %s", status, answer)
	}
	waitForMail(t, ps.m, sink, "ada@example.com", 1)
	if v, err := ps.m.DB.FindVariant(context.Background(), shop.ID, "1-11"); err != nil || v.Stock != 2 {
		t.Fatalf("small shirt after the post: %+v %v", v, err)
	}
}

func waitForMail(t *testing.T, m *Main, sink *smtptest.Server, to string, n int) {
	t.Helper()
	eventually(t, m, "mail to "+to, func() bool {
		got := 0
		for _, msg := range sink.Messages() {
			if strings.Join(msg.To, ", ") == to {
				got++
			}
		}
		return got == n
	})
}

func (ps *psShop) post(t *testing.T, body []byte, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ps.m.URL()+"/webhooks/prestashop", bytes.NewReader(body))
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer)
}

// goSignedPost is a post signed as the module signs, at a chosen time.
func (ps *psShop) goSignedPost(secret, bodyShop string, product, attribute int64, quantity int, at time.Time) ([]byte, http.Header) {
	body, _ := json.Marshal(map[string]any{"shop": bodyShop, "id_product": product, "id_product_attribute": attribute,
		"quantity": quantity, "updated_at": at.Format(time.RFC3339)})
	header := http.Header{"Content-Type": {"application/json"}}
	header.Set(prestashop.ShopHeader, ps.fake.URL()+"/")
	header.Set(stockbell.ModuleSignatureHeader, stockbell.SignModulePost(secret, at, body))
	return body, header
}

// refusedPosts: bad signature, stale timestamp, the secret before renewal
// (401) and a body about another shop (400) store nothing.
func (ps *psShop) refusedPosts(t *testing.T, oldSecret string) {
	t.Helper()
	var before, after int
	ps.m.DB.DB.Get(&before, `SELECT COUNT(*) FROM webhook_receipts`)
	now := time.Now()
	badSig, badSigHeader := ps.goSignedPost(ps.secret, ps.fake.URL(), e2ePSShirt, e2ePSSmall, 7, now)
	badSigHeader.Set(stockbell.ModuleSignatureHeader, stockbell.SignModulePost(strings.Repeat("0", 64), now, badSig))
	stale, staleHeader := ps.goSignedPost(ps.secret, ps.fake.URL(), e2ePSShirt, e2ePSSmall, 7, now.Add(-6*time.Minute))
	old, oldHeader := ps.goSignedPost(oldSecret, ps.fake.URL(), e2ePSShirt, e2ePSSmall, 7, now)
	other, otherHeader := ps.goSignedPost(ps.secret, "https://other-shop.example/", e2ePSShirt, e2ePSSmall, 7, now)
	for _, c := range []struct {
		name   string
		body   []byte
		header http.Header
		status int
	}{
		{"bad signature", badSig, badSigHeader, http.StatusUnauthorized},
		{"stale timestamp", stale, staleHeader, http.StatusUnauthorized},
		{"secret before renewal", old, oldHeader, http.StatusUnauthorized},
		{"another shop's body", other, otherHeader, http.StatusBadRequest},
	} {
		if status, answer := ps.post(t, c.body, c.header); status != c.status {
			t.Errorf("%s answered %d, want %d: %s", c.name, status, c.status, answer)
		}
	}
	ps.m.DB.DB.Get(&after, `SELECT COUNT(*) FROM webhook_receipts`)
	if after != before {
		t.Fatalf("refused posts stored %d receipts", after-before)
	}
}

// unknownVariant: a post about a product the shop does not have is
// accepted and recorded in the shop's sync log.
func (ps *psShop) unknownVariant(t *testing.T, shop *stockbell.Shop) {
	t.Helper()
	body, header := ps.goSignedPost(ps.secret, ps.fake.URL(), 999, 0, 4, time.Now())
	if status, answer := ps.post(t, body, header); status != http.StatusOK {
		t.Fatalf("a post about an unknown product answered %d: %s", status, answer)
	}
	rejected := stockbell.EventSyncItemRejected
	eventually(t, ps.m, "the unknown variant in the sync log", func() bool {
		log, _, err := ps.m.DB.FindSyncLog(context.Background(), stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &rejected})
		return err == nil && len(log) == 1 && strings.Contains(log[0].Detail, `"999-0"`)
	})
}

// reconciled: the mug is restocked but the module's post never arrives;
// the reconciliation reads it and the subscriber is notified.
func (ps *psShop) reconciled(t *testing.T, shop *stockbell.Shop, sink *smtptest.Server) {
	t.Helper()
	untilNoJobOf(t, ps.m, stockbell.PrestaShopReconcileJob{}.Kind())
	ps.fake.SetQuantity(e2ePSMug, 0, 5)
	if err := ps.m.Queue.Insert(context.Background(), stockbell.PrestaShopReconcileJob{}, nil); err != nil {
		t.Fatal(err)
	}
	waitForMail(t, ps.m, sink, "ada@example.com", 2)
	if v, err := ps.m.DB.FindVariant(context.Background(), shop.ID, "2-0"); err != nil || v.Stock != 5 {
		t.Fatalf("mug after reconciliation: %+v %v", v, err)
	}
}

// requirePHP skips without the php command line (fails in CI).
func requirePHP(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("php"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but php is not installed (apt-get install php-cli)")
		}
		t.Skip("php is not installed")
	}
}

// phpSignedPost runs the module's own signing code (StockbellSigner.php)
// with php and returns the body and headers it would post.
func phpSignedPost(t *testing.T, secret, shop string, product, attribute int64, quantity int) ([]byte, http.Header) {
	t.Helper()
	signer, _ := filepath.Abs("../integrations/prestashop/module/stockbell/classes/StockbellSigner.php")
	script := `define('STOCKBELL_SIGNER_TEST', true); require $argv[1]; $t = time();
$body = StockbellSigner::stockBody($argv[2], $argv[3], $argv[4], $argv[5], $t);
echo json_encode(array('body' => $body, 'headers' => StockbellSigner::headers($argv[6], $argv[2], $body, $t)));`
	out, err := exec.Command("php", "-r", script, "--", signer, shop, itoa64(product), itoa64(attribute), itoa64(int64(quantity)), secret).Output()
	if err != nil {
		t.Fatalf("php: %v %s", err, out)
	}
	var signed struct {
		Body    string   `json:"body"`
		Headers []string `json:"headers"`
	}
	if err := json.Unmarshal(out, &signed); err != nil {
		t.Fatalf("php printed %s: %v", out, err)
	}
	header := http.Header{}
	for _, h := range signed.Headers {
		name, value, _ := strings.Cut(h, ": ")
		header.Set(name, value)
	}
	return []byte(signed.Body), header
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestPrestaShopShopAddCommand: `shop add --platform prestashop` connects a
// shop with the key from a file and prints the module secret once; a wrong
// key, a missing file or a --domain that is not the URL's are refused with
// the flag named, and nothing is stored.
func TestPrestaShopShopAddCommand(t *testing.T) {
	fake := prestaShopFake(t)
	anyPort := testEnv(t, nil) // STOCKBELL_ADDR=127.0.0.1:0 without a public URL
	getenv := func(k string) string {
		if k == "STOCKBELL_PUBLIC_URL" {
			return "http://localhost:8080"
		}
		return anyPort(k)
	}
	if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	dir := t.TempDir()
	good, wrong := filepath.Join(dir, "key"), filepath.Join(dir, "wrong")
	os.WriteFile(good, []byte(prestashoptest.Key+"\n"), 0o600)
	os.WriteFile(wrong, []byte(strings.Repeat("Z", 32)), 0o600)
	// The module's Stockbell URL cannot name a port only the server knows.
	if code, _, stderr := run(t, anyPort, "shop", "add", "--platform", "prestashop", "--url", fake.URL(), "--key-file", good); code != 1 ||
		!strings.HasPrefix(stderr, "error: STOCKBELL_PUBLIC_URL: ") || !strings.Contains(stderr, "any free port") {
		t.Errorf("shop add on any free port without a public URL: exit %d, stderr %q", code, stderr)
	}
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--url", fake.URL(), "--key-file", wrong}, "--key-file: PrestaShop refused the webservice key"},
		{[]string{"--url", fake.URL(), "--key-file", filepath.Join(dir, "none")}, "--key-file"},
		{[]string{"--url", "ftp://shop.example", "--key-file", good}, "--url"},
		{[]string{"--url", fake.URL(), "--key-file", good, "--domain", "other.example"}, "--domain"},
		{[]string{"--key-file", good}, "--url is required"},
	} {
		args := append([]string{"shop", "add", "--platform", "prestashop"}, c.args...)
		if code, _, stderr := run(t, getenv, args...); code == 0 || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%v: exit %d, stderr %q (want %q)", c.args, code, stderr, c.stderr)
		}
	}
	if _, stdout, _ := run(t, getenv, "shop", "list"); !strings.Contains(stdout, "0 shop(s)") {
		t.Fatalf("refused adds stored a shop: %s", stdout)
	}
	code, stdout, stderr := run(t, getenv, "shop", "add", "--platform", "prestashop", "--url", fake.URL(), "--key-file", good)
	if code != 0 || !strings.Contains(stdout, "Module secret (shown once") || !strings.Contains(stdout, strings.TrimPrefix(fake.URL(), "http://")) ||
		!strings.Contains(stdout, "Stockbell URL for the module: http://localhost:8080\n") {
		t.Fatalf("shop add: exit %d, %q %q", code, stdout, stderr)
	}
}

// TestPrestaShopConnectIsRateLimited: each connect makes Stockbell call
// the URL it names, so one address may try ConnectLimit times an hour; the
// next is 429, in JSON for the module's door.
func TestPrestaShopConnectIsRateLimited(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	post := func() (int, string) {
		resp, err := http.Post(m.URL()+"/auth/prestashop/connect", "application/json", strings.NewReader(`{"shop_url":"not a url"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for i := 0; i < web.ConnectLimit.Events; i++ {
		if status, body := post(); status != http.StatusBadRequest {
			t.Fatalf("attempt %d answered %d: %s", i+1, status, body)
		}
	}
	if status, body := post(); status != http.StatusTooManyRequests || !strings.Contains(body, `"rate_limited"`) {
		t.Fatalf("attempt %d answered %d: %s", web.ConnectLimit.Events+1, status, body)
	}
}
