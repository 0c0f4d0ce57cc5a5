package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
)

// modulePoster runs the module's Model/Poster.php (outside Magento, through
// testdata/post.php) against the server: a saved level is posted, signed,
// and applied; a SKU that is not UTF-8 is logged as an error, neither
// posted nor queued (an empty body would be refused and retried forever);
// a Stockbell URL with a path the server does not serve is answered 404,
// logged as an error naming the address, and not queued.
func modulePoster(t *testing.T, m *Main, fake *magentotest.Fake, shop *stockbell.Shop, secret string) {
	php := phpOrSkip(t)
	runAt := func(url, sku string, qty int) string {
		out, err := exec.Command(php, "../integrations/magento/testdata/post.php", url, fake.Domain(), secret,
			hex.EncodeToString([]byte(sku)), strconv.Itoa(qty), "1").CombinedOutput()
		if err != nil {
			t.Fatalf("php post.php: %v: %s", err, out)
		}
		return string(out)
	}
	run := func(sku string, qty int) string { return runAt(m.URL(), sku, qty) }
	fake.Do(func(f *magentotest.Fake) { f.Products[0].Children[1].Qty = 7 })
	if out := run("TEE-M", 7); strings.TrimSpace(out) != "posted 200" {
		t.Fatalf("the module's post: %s", out)
	}
	eventually(t, m, "the module's post applied", func() bool {
		v, err := m.DB.FindVariant(context.Background(), shop.ID, "TEE-M")
		return err == nil && v.Stock == 7
	})
	out := run("TEE-\xff", 2)
	if !strings.HasPrefix(out, "log error Stockbell cannot be told of this stock change") ||
		strings.Contains(out, "posted") || strings.Contains(out, "queued") {
		t.Fatalf("a SKU that is not UTF-8: %s", out)
	}
	out = runAt(m.URL()+"/stockbell", "TEE-M", 6)
	if !strings.Contains(out, "posted 404") || strings.Contains(out, "queued") ||
		!strings.Contains(out, "log error Stockbell was not told of a stock change: "+m.URL()+"/stockbell/webhooks/magento answered 404") {
		t.Fatalf("a Stockbell URL with a path: %s", out)
	}
}

// moduleResendsAPostStockbellHad runs the module's poster, queue and cron
// (testdata/resend.php) against the server for a post whose answer the
// store never saw: Stockbell stored it, the module queued it, and the
// cron re-sends the same body. Stockbell answers the re-send 200
// {"received":true,"duplicate":true}, which the module takes as its
// acknowledgement: the post leaves the queue, is not postponed for another
// re-send, and nothing is logged.
func moduleResendsAPostStockbellHad(t *testing.T, m *Main, fake *magentotest.Fake, secret string) {
	php := phpOrSkip(t)
	fake.Do(func(f *magentotest.Fake) { f.Products[0].Children[1].Qty = 7 })
	body, _ := json.Marshal(map[string]any{"shop": fake.Domain(), "sku": "TEE-M", "qty": 7, "is_in_stock": true,
		"source": "default", "updated_at": time.Now().UTC().Format(time.DateTime)})
	out, err := exec.Command(php, "../integrations/magento/testdata/resend.php", m.URL(), fake.Domain(), secret, string(body)).CombinedOutput()
	if err != nil {
		t.Fatalf("php resend.php: %v: %s", err, out)
	}
	want := "posted 200\nposted 200\n" +
		`answered {"received":true,"duplicate":false}` + "\n" +
		`answered {"received":true,"duplicate":true}` + "\n" +
		"queued 0"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Fatalf("a post re-sent after its answer was lost:\n%s\nwant:\n%s", got, want)
	}
}

// moduleRefusedForAWrongSecret runs the module's poster (testdata/post.php)
// with a secret that is not the store's: the server refuses the post 401
// and the module queues it with the reason in words, Stockbell's and the
// setting to check, where the merchant reads it (last_error).
func moduleRefusedForAWrongSecret(t *testing.T, m *Main, fake *magentotest.Fake) {
	php := phpOrSkip(t)
	out, err := exec.Command(php, "../integrations/magento/testdata/post.php", m.URL(), fake.Domain(), strings.Repeat("0", 64),
		hex.EncodeToString([]byte("TEE-M")), "7", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("php post.php: %v: %s", err, out)
	}
	want := "queued Stockbell refused the post (401): The X-Stockbell-Signature header does not match the body and the shop's module secret." +
		" Check that the secret in Stores > Configuration > Services > Stockbell Back in Stock is the one Stockbell showed.\n"
	if !strings.Contains(string(out), want) || strings.Contains(string(out), "{") {
		t.Fatalf("a post signed with another secret:\n%s\nwant the line %q", out, want)
	}
}

// phpOrSkip returns php's path; without php the test is skipped, except
// under CI=true.
func phpOrSkip(t *testing.T) string {
	t.Helper()
	php, err := exec.LookPath("php")
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatal("php is not installed (apt-get install php-cli)")
	} else if err != nil {
		t.Skip("php is not installed")
	}
	return php
}

// moduleSignedPost posts a change signed by the Magento module's own
// signer (Model/Signer.php, run with php) to the server, which must accept
// and apply it. Without php it is skipped, except under CI=true.
func moduleSignedPost(t *testing.T, m *Main, fake *magentotest.Fake, shop *stockbell.Shop, secret string) {
	php := phpOrSkip(t)
	// Magento saves the medium size at 4, then the module posts it. The
	// stored level was read without a platform time, so the post is
	// resolved by reading the stock again: the store must say 4 too.
	fake.Do(func(f *magentotest.Fake) { f.Products[0].Children[1].Qty = 4 })
	body, _ := json.Marshal(map[string]any{"shop": fake.Domain(), "sku": "TEE-M", "qty": 4, "is_in_stock": true,
		"source": "default", "updated_at": time.Now().UTC().Format(time.DateTime)})
	cmd := exec.Command(php, "../integrations/magento/testdata/sign.php", secret, strconv.FormatInt(time.Now().Unix(), 10))
	cmd.Stdin = bytes.NewReader(body)
	signature, err := cmd.Output()
	if err != nil {
		t.Fatalf("php sign.php: %v", err)
	}
	req, _ := http.NewRequest(http.MethodPost, m.URL()+magento.WebhookPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(magento.ShopHeader, fake.Domain())
	req.Header.Set(stockbell.ModuleSignatureHeader, strings.TrimSpace(string(signature)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the module-signed post answered %d", resp.StatusCode)
	}
	eventually(t, m, "the module-signed change applied", func() bool {
		v, err := m.DB.FindVariant(context.Background(), shop.ID, "TEE-M")
		return err == nil && v.Stock == 4
	})
}
