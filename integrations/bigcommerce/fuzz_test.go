package bigcommerce_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// FuzzVerifyWebhook: whatever body arrives with a store's genuine secret,
// the verifier refuses it as unauthorized or invalid, or returns a receipt
// of that store with the body as its payload, a topic and an event id.
func FuzzVerifyWebhook(f *testing.F) {
	db := storetest.Open(f, store.SQLite)
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformBigCommerce, Domain: "stores/" + storeHash, Name: "Bells"})
	if err != nil {
		f.Fatal(err)
	}
	secret := "fuzz-hook-secret-0123456789"
	sum := sha256.Sum256([]byte(secret))
	if _, err := db.EnsureWebhookSecret(ctx, stockbell.WebhookSecret{ShopID: shop.ID, Hash: hex.EncodeToString(sum[:]), Sealed: []byte("sealed")}); err != nil {
		f.Fatal(err)
	}
	verifier := &bigcommerce.WebhookVerifier{Secrets: db, Shops: db}
	header := http.Header{}
	header.Set(bigcommerce.SecretHeader, secret)
	f.Add([]byte(`{"scope":"store/sku/inventory/updated","store_id":"1025646","data":{"type":"sku","id":461,"inventory":{"product_id":167,"method":"absolute","value":5,"variant_id":509}},"hash":"3f9ea420af83450d7ef9f78b08c8af25b2213637","created_at":1561482670,"producer":"stores/abc123"}`))
	f.Add([]byte(`{"scope":"store/order/created","data":{"type":"order","id":250},"hash":"x","producer":"stores/abc123"}`))
	f.Add([]byte(`{"producer":"stores/other9","scope":"a","hash":"b"}`))
	f.Add([]byte(`{"store_id":1025646,"producer":"stores/abc123","scope":"s","hash":"h","created_at":-1}`))
	f.Add([]byte("not json"))
	f.Fuzz(func(t *testing.T, body []byte) {
		rc, err := verifier.VerifyWebhook(ctx, header, body)
		if err != nil {
			if code := stockbell.ErrorCode(err); code != stockbell.EUNAUTHORIZED && code != stockbell.EINVALID {
				t.Fatalf("error %v is neither unauthorized nor invalid", err)
			}
			return
		}
		if rc.Platform != stockbell.PlatformBigCommerce || rc.ShopID == nil || *rc.ShopID != shop.ID || rc.Domain != shop.Domain ||
			rc.Topic == "" || rc.EventID == "" || !bytes.Equal(rc.Payload, body) {
			t.Fatalf("receipt %+v for %q", rc, body)
		}
	})
}
