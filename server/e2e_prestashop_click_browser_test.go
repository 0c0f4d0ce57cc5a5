package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// emailLink finds the product link of an email: the one carrying sb_click.
var emailLink = regexp.MustCompile(`https?://[^\s"<>]*sb_click=[^\s"<>]+`)

// alertLink waits for the shop's alert in the outbox and returns its
// product link.
func alertLink(t *testing.T, m *Main, shop *stockbell.Shop) *url.URL {
	t.Helper()
	var link string
	eventually(t, m, "the alert in the outbox", func() bool {
		sent, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
		if err == nil && len(sent) > 0 {
			link = emailLink.FindString(sent[0].Text)
		}
		return link != ""
	})
	target, err := url.Parse(link)
	if err != nil {
		t.Fatalf("the alert's link %q: %v", link, err)
	}
	return target
}

// landedClick opens the alert's link on the shop's storefront (page, at
// the link's path, query and fragment) in a new browser, which it returns, and
// checks that the page's click report is counted for the shop, and for
// no other.
func landedClick(t *testing.T, m *Main, page *httptest.Server, link *url.URL, shop, other *stockbell.Shop) context.Context {
	t.Helper()
	browser := browsertest.NewWithin(t, 2*time.Minute)
	at := page.URL + link.RequestURI()
	if link.Fragment != "" {
		at += "#" + link.EscapedFragment()
	}
	browse(t, browser, at, "[data-stockbell-variant]")
	if status := clickReported(t, browser); status != http.StatusCreated {
		t.Fatalf("the module's page reported the click with answer %d, want 201", status)
	}
	for _, s := range []*stockbell.Shop{shop, other} {
		want := map[int64]int{shop.ID: 1, other.ID: 0}[s.ID]
		if n, err := m.DB.CountClicks(context.Background(), stockbell.ClickFilter{ShopID: &s.ID}); err != nil || n != want {
			t.Errorf("shop %s has %d clicks (%v), want %d", s.Domain, n, err, want)
		}
	}
	return browser
}

// TestPrestaShopEmailClickCountedOnTheModulesPageInChromium walks a
// PrestaShop shopper's alert: the module posts the small T-shirt's
// restock, the email's link opens the product on that combination
// (id_product_attribute), and the module's product page, on which the
// snippet carries the shop's URL as data-shop, reports the click there:
// the shop counts one click, another PrestaShop shop none.
func TestPrestaShopEmailClickCountedOnTheModulesPageInChromium(t *testing.T) {
	requirePHP(t)
	m := startServerAt(t, nil)
	var shops []*stockbell.Shop
	var ps *psShop
	for range 2 {
		fake := prestaShopFake(t)
		ps = &psShop{m: m, fake: fake, domain: strings.TrimPrefix(fake.URL(), "http://")}
		ps.secret = ps.connectWithJSON(t)
		shops = append(shops, ps.synced(t, 3))
	}
	shop, other := shops[1], shops[0]
	ps.fake.SetQuantity(e2ePSShirt, e2ePSSmall, 2)
	body, header := phpSignedPost(t, ps.secret, ps.fake.URL()+"/", e2ePSShirt, e2ePSSmall, 2)
	if status, answer := ps.post(t, body, header); status != http.StatusOK {
		t.Fatalf("the module's post answered %d: %s", status, answer)
	}
	link := alertLink(t, m, shop)
	if link.Path != "/boutique/index.php" || link.Query().Get("id_product") != "1" || link.Query().Get("id_product_attribute") != "11" {
		t.Fatalf("the alert's link %s does not open the small T-shirt's combination", link)
	}
	landedClick(t, m, productPageServer(t, m, ps.fake.URL()+"/"), link, shop, other)
}
