package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestMagentoEmailClickCountedOnTheModulesPageInChromium walks a Magento
// shopper's alert: the module posts the small tee's restock, the email's
// link opens the tee's page on the small size (the fragment Magento's
// storefront selects it from reaches the page), and that page as the
// Stockbell module prints it (its templates, view model and settings run
// by php, the snippet's data-shop the store's host) reports the click:
// the store counts one click, another Magento store none.
func TestMagentoEmailClickCountedOnTheModulesPageInChromium(t *testing.T) {
	requirePHP(t)
	m := magentoServer(t, "")
	var fake *magentotest.Fake
	var shops []*stockbell.Shop
	for range 2 {
		fake = magentoStore(t)
		shops = append(shops, activatedStore(t, m, fake))
		if status := subscribe(t, m, fake.Domain(), "TEE-S", "ada@example.com"); status != http.StatusCreated {
			t.Fatalf("subscription answered %d", status)
		}
	}
	shop, other := shops[1], shops[0]
	secret := identity(t, m, fake)
	fake.Do(func(f *magentotest.Fake) { f.Products[0].Children[0].Qty, f.Products[0].Children[0].InStock = 3, true })
	restock := map[string]any{"shop": fake.Domain(), "sku": "TEE-S", "qty": 3, "is_in_stock": true, "source": "default",
		"updated_at": time.Now().UTC().Format(time.DateTime)}
	if status, body := postStock(t, m, fake.Domain(), secret, time.Now(), restock); status != http.StatusOK {
		t.Fatalf("the module's post answered %d: %s", status, body)
	}
	link := alertLink(t, m, shop)
	small := fmt.Sprintf("#%d=%d", teeSize, teeSmall)
	if link.Host != fake.Domain() || link.Path != "/tee.html" || "#"+link.Fragment != small {
		t.Fatalf("the alert's link %s does not open the tee's page on the small size (%s)", link, small)
	}
	browser := landedClick(t, m, magentoPageServer(t, fake.URL()+"/", m.URL()+"/", "TEE-S", "Tee"), link, shop, other)
	if got := browsertest.Eval[string](t, browser, `document.querySelector("script[data-shop]").dataset.shop`); got != shop.Domain {
		t.Errorf("the module's snippet names the shop %q, want the store's domain %q", got, shop.Domain)
	}
	// What Luma's configurable.js and swatch-renderer.js select the size
	// from: the page's address from its #.
	if got := browsertest.Eval[string](t, browser, `location.hash`); got != small {
		t.Errorf("the tee's page was opened with the fragment %q, want %q", got, small)
	}
}

// activatedStore activates the integration of the store and waits for
// its catalog: the tee's small size, sold out.
func activatedStore(t *testing.T, m *Main, fake *magentotest.Fake) *stockbell.Shop {
	t.Helper()
	ctx := context.Background()
	if status, body := activate(t, m, fake.ActivationForm()); status != http.StatusOK {
		t.Fatalf("activation answered %d: %s", status, body)
	}
	shop, err := m.DB.FindShopByDomain(ctx, stockbell.PlatformMagento, fake.Domain())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the tee's sizes", func() bool {
		small, err := m.DB.FindVariant(ctx, shop.ID, "TEE-S")
		return err == nil && small.SoldOut()
	})
	return shop
}

// magentoPageServer plays a Magento store's storefront on a port of its
// own: at any address, a product page as the Stockbell module prints it
// for the store at storeURL (integrations/magento/testdata/page.php).
func magentoPageServer(t *testing.T, storeURL, stockbellURL, sku, name string) *httptest.Server {
	t.Helper()
	html, err := exec.Command("php", "../integrations/magento/testdata/page.php", storeURL, stockbellURL, sku, name).Output()
	if err != nil || !strings.Contains(string(html), "data-stockbell-variant") {
		t.Fatalf("php page.php: %v\n%s", err, html)
	}
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html)
	}))
	t.Cleanup(page.Close)
	return page
}
