package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
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
// link opens the tee's page, and that page as the Stockbell module prints
// it (its templates, view model and settings run by php, the snippet's
// data-shop the store's host) reports the click: the store counts one
// click, another Magento store none.
func TestMagentoEmailClickCountedOnTheModulesPageInChromium(t *testing.T) {
	requirePHP(t)
	ctx := context.Background()
	m := magentoServer(t, "")
	var fake *magentotest.Fake
	var shops []*stockbell.Shop
	for range 2 {
		fake = magentoStore(t)
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
		if status := subscribe(t, m, fake.Domain(), "TEE-S", "ada@example.com"); status != http.StatusCreated {
			t.Fatalf("subscription answered %d", status)
		}
		shops = append(shops, shop)
	}
	shop, other := shops[1], shops[0]
	secret := identity(t, m, fake)
	fake.Do(func(f *magentotest.Fake) { f.Products[0].Children[0].Qty, f.Products[0].Children[0].InStock = 3, true })
	restock := map[string]any{"shop": fake.Domain(), "sku": "TEE-S", "qty": 3, "is_in_stock": true, "source": "default",
		"updated_at": time.Now().UTC().Format(time.DateTime)}
	if status, body := postStock(t, m, fake.Domain(), secret, time.Now(), restock); status != http.StatusOK {
		t.Fatalf("the module's post answered %d: %s", status, body)
	}
	var link string
	eventually(t, m, "the alert in the outbox", func() bool {
		sent, _, err := m.DB.FindOutboxMessages(ctx, stockbell.OutboxFilter{ShopID: &shop.ID})
		if err == nil && len(sent) > 0 {
			link = emailLink.FindString(sent[0].Text)
		}
		return link != ""
	})
	target, err := url.Parse(link)
	if err != nil || target.Host != fake.Domain() || target.Path != "/tee.html" {
		t.Fatalf("the alert's link %q does not open the tee's page", link)
	}

	page := magentoPageServer(t, fake.URL()+"/", m.URL()+"/", "TEE-S", "Tee")
	browser := browsertest.NewWithin(t, 2*time.Minute)
	browse(t, browser, page.URL+target.RequestURI(), "[data-stockbell-variant]")
	if got := browsertest.Eval[string](t, browser, `document.querySelector("script[data-shop]").dataset.shop`); got != shop.Domain {
		t.Errorf("the module's snippet names the shop %q, want the store's domain %q", got, shop.Domain)
	}
	if status := clickReported(t, browser); status != http.StatusCreated {
		t.Fatalf("the module's page reported the click with answer %d, want 201", status)
	}
	for _, s := range []*stockbell.Shop{shop, other} {
		want := map[int64]int{shop.ID: 1, other.ID: 0}[s.ID]
		if n, err := m.DB.CountClicks(ctx, stockbell.ClickFilter{ShopID: &s.ID}); err != nil || n != want {
			t.Errorf("store %s has %d clicks (%v), want %d", s.Domain, n, err, want)
		}
	}
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
