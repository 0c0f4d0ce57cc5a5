package prestashop_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
)

// FuzzParseStockPost: whatever body the module's route is handed (once its
// signature holds), the parser refuses it as EINVALID naming one of the
// post's fields, or returns a post that keeps the documented promises: one
// JSON document naming a shop, a product above 0, a combination of 0 or
// more and a quantity (stored within ±stockbell.MaxAvailable, exactly when
// it fits), at its RFC 3339 time in UTC. The shop it names, read as the
// route reads it (stockbell.PrestaShopDomain), is refused naming shop_url
// or is a lower-case host with the shop's folder and no trailing slash.
func FuzzParseStockPost(f *testing.F) {
	for _, seed := range []string{
		// What the module's hook posts (numbers as PrestaShop gives them).
		`{"shop":"https://shop.example.com/","id_product":1,"id_product_attribute":3,"quantity":4,"updated_at":"2026-03-01T12:00:00+01:00"}`,
		`{"shop":"http://Example.com/boutique/api/","id_product":"12","id_product_attribute":"0","quantity":"-2","updated_at":"2026-03-01T11:00:00Z"}`,
		`{"shop":"https://shop.example.com","id_product":1,"id_product_attribute":0,"quantity":99999999999,"updated_at":"2026-03-01T11:00:00Z"}`,
		`{"shop":"https://shop.example.com","id_product":1,"quantity":null,"updated_at":"2026-03-01T11:00:00Z"}`,
		`{"shop":"https://u:p@shop.example.com/?a#b","id_product":1,"quantity":"","updated_at":"2026-03-01 12:00:00"}`,
		`{"shop":" ","id_product":-1,"id_product_attribute":-1,"quantity":1}`,
		`{"id_product":"one"}`,
		`not json`,
	} {
		f.Add([]byte(seed))
	}
	fields := map[string]bool{"body": true, "shop": true, "id_product": true, "id_product_attribute": true, "quantity": true, "updated_at": true}
	f.Fuzz(func(t *testing.T, body []byte) {
		post, at, err := prestashop.ParseStockPost(body)
		if err != nil {
			if stockbell.ErrorCode(err) != stockbell.EINVALID || !fields[stockbell.ErrorField(err)] {
				t.Fatalf("%q: error %v is not EINVALID naming a field of the post", body, err)
			}
			return
		}
		checkStockPost(t, body, post, at)
		checkShopDomain(t, post.Shop)
	})
}

func checkStockPost(t *testing.T, body []byte, post *prestashop.StockPost, at time.Time) {
	t.Helper()
	if !json.Valid(body) || strings.TrimSpace(post.Shop) == "" || post.IDProduct <= 0 || post.IDProductAttribute < 0 || post.Quantity == nil {
		t.Fatalf("%q accepted as %+v", body, post)
	}
	if want, err := time.Parse(time.RFC3339, post.UpdatedAt); err != nil || !at.Equal(want) || at.Location() != time.UTC {
		t.Fatalf("%q: time %v of updated_at %q (%v)", body, at, post.UpdatedAt, err)
	}
	product, combination, ok := strings.Cut(post.VariantID(), "-")
	if p, err := strconv.ParseInt(product, 10, 64); !ok || err != nil || p != int64(post.IDProduct) || combination != strconv.FormatInt(int64(post.IDProductAttribute), 10) {
		t.Fatalf("%q: variant id %q", body, post.VariantID())
	}
	q, available := int64(*post.Quantity), post.Available()
	fits := q >= -stockbell.MaxAvailable && q <= stockbell.MaxAvailable
	if available < -stockbell.MaxAvailable || available > stockbell.MaxAvailable || (fits && int64(available) != q) || (q > 0) != (available > 0) {
		t.Fatalf("%q: quantity %d stored as %d", body, q, available)
	}
}

func checkShopDomain(t *testing.T, shop string) {
	t.Helper()
	domain, err := stockbell.PrestaShopDomain(shop)
	if err != nil {
		if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != "shop_url" {
			t.Fatalf("shop %q: %v, want EINVALID naming shop_url", shop, err)
		}
		return
	}
	u, _ := url.Parse(strings.TrimSpace(shop))
	host := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(u.Host, ":443"), ":80"))
	if host == "" || !strings.HasPrefix(domain, host) || strings.HasSuffix(domain, "/") {
		t.Fatalf("shop %q read as the domain %q", shop, domain)
	}
}
