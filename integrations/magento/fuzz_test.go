package magento_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
)

// FuzzParseStockPost: whatever body the module's route is handed (once its
// signature holds), the parser refuses it as EINVALID naming one of the
// post's fields, or returns a post that keeps the documented promises: a
// SKU, a quantity and a stock status, a level between 0 and
// stockbell.MaxAvailable (nothing when out of stock), a source, a UTC time
// exactly when the post carries one; and the post, written again as JSON,
// reads back the same.
func FuzzParseStockPost(f *testing.F) {
	for _, seed := range []string{
		// What Model/Poster.php posts (the signer test's vector and fresh post).
		`{"sku":"TSHIRT-S","qty":3,"is_in_stock":true,"source":"default","updated_at":"2026-01-01 00:00:00"}`,
		`{"shop":"shop.example.com","sku":"MUG/ÉTÉ \"2\"","qty":1.5,"is_in_stock":true,"source":"eu-1"}`,
		`{"shop":"shop.example.com","sku":"TEE-S","qty":3.0,"is_in_stock":false,"source":"default","updated_at":"2026-12-02 03:04:05"}`,
		`{"sku":"A","qty":-2,"is_in_stock":true,"updated_at":"2026-12-02T03:04:05+01:00"}`,
		`{"sku":"A","qty":1e300,"is_in_stock":true}`,
		`{"sku":"A","qty":1,"is_in_stock":true,"updated_at":"yesterday"}`,
		`{"sku":" ","qty":1,"is_in_stock":true}`,
		`{"sku":"A","qty":1,"is_in_stock":true}{"sku":"B"}`,
		`not json`,
	} {
		f.Add([]byte(seed))
	}
	fields := map[string]bool{"body": true, "sku": true, "qty": true, "is_in_stock": true, "updated_at": true}
	f.Fuzz(func(t *testing.T, body []byte) {
		post, err := magento.ParseStockPost(body)
		if err != nil {
			if stockbell.ErrorCode(err) != stockbell.EINVALID || !fields[stockbell.ErrorField(err)] {
				t.Fatalf("%q: error %v is not EINVALID naming a field of the post", body, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("%q is not one JSON document, yet it was read as %+v", body, post)
		}
		checkStockPost(t, body, post)
		again, err := json.Marshal(post)
		if err != nil {
			t.Fatal(err)
		}
		reread, err := magento.ParseStockPost(again)
		if err != nil || !reflect.DeepEqual(reread, post) {
			t.Fatalf("%q read as %+v, written again as %s, reads as %+v, %v", body, post, again, reread, err)
		}
	})
}

func checkStockPost(t *testing.T, body []byte, post *magento.StockPost) {
	t.Helper()
	if strings.TrimSpace(post.SKU) == "" || post.Qty == nil || post.IsInStock == nil || post.Location() == "" {
		t.Fatalf("%q accepted as %+v: SKU, qty, stock status or source missing", body, post)
	}
	available := post.Available()
	switch {
	case available < 0 || available > stockbell.MaxAvailable:
		t.Fatalf("%q: available %d is outside 0..%d", body, available, stockbell.MaxAvailable)
	case !*post.IsInStock && available != 0:
		t.Fatalf("%q: out of stock, yet %d available", body, available)
	case float64(available) > *post.Qty && available > 0:
		t.Fatalf("%q: %d available out of a quantity of %v", body, available, *post.Qty)
	case *post.IsInStock && *post.Qty >= 1 && available == 0:
		t.Fatalf("%q: in stock with %v, yet nothing available", body, *post.Qty)
	}
	at, ok := post.At()
	if ok != (post.UpdatedAt != "") || (ok && at.Location() != time.UTC) {
		t.Fatalf("%q: time %v (%v) of updated_at %q", body, at, ok, post.UpdatedAt)
	}
}

// FuzzExchangeSignature: for whatever consumer key, secret and verifier an
// activation carries (Magento's are 32 letters and digits; anyone may post
// others), the OAuth 1.0a exchange signs its requests so that a store
// checking them by RFC 5849 (magentotest, written independently of the
// signing library) accepts them, by HMAC-SHA256 or, where the store knows
// only that, HMAC-SHA1; and a wrong consumer secret is always refused as
// EUNAUTHORIZED.
func FuzzExchangeSignature(f *testing.F) {
	store := magentotest.New()
	f.Cleanup(store.Close)
	f.Add("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "a1b2c3d4e5f60718293a4b5c6d7e8f90", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", false)
	f.Add("key with spaces", "secret&with=reserved+chars/%2F", "verifier\"quoted\",comma", true)
	f.Add("clé", "sécret ☃", "vérificateur", false)
	f.Add("~-._", "*'()!", "\x00\x7f", true)
	client := magento.NewClient(true)
	client.Sleep = func(context.Context, time.Duration) error { return nil }
	f.Fuzz(func(t *testing.T, key, secret, verifier string, sha1Only bool) {
		if key == "" || verifier == "" {
			return // an activation without them is refused before any exchange
		}
		methods := []string{magento.MethodHMACSHA256, magento.MethodHMACSHA1}
		if sha1Only {
			methods = methods[1:]
		}
		store.Do(func(s *magentotest.Fake) {
			s.ConsumerKey, s.ConsumerSecret, s.Verifier, s.Methods = key, secret, verifier, methods
		})
		cred := magento.Credentials{BaseURL: store.URL(), ConsumerKey: key, ConsumerSecret: secret}
		got, err := client.Exchange(context.Background(), cred, verifier)
		if err != nil || got.Token == "" || got.TokenSecret == "" || got.Method != methods[0] {
			t.Fatalf("key %q, secret %q, verifier %q (%v): %+v, %v", key, secret, verifier, methods, got, err)
		}
		cred.ConsumerSecret = secret + "x"
		if _, err := client.Exchange(context.Background(), cred, verifier); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Fatalf("key %q signed with a wrong secret: %v, want EUNAUTHORIZED", key, err)
		}
	})
}
