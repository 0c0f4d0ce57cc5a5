package main

import (
	"bytes"
	"context"
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

// moduleSignedPost posts a change signed by the Magento module's own
// signer (Model/Signer.php, run with php) to the server, which must accept
// and apply it. Without php it is skipped, except under CI=true.
func moduleSignedPost(t *testing.T, m *Main, fake *magentotest.Fake, shop *stockbell.Shop, secret string) {
	php, err := exec.LookPath("php")
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatal("php is not installed (apt-get install php-cli)")
	} else if err != nil {
		t.Skip("php is not installed")
	}
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
