package prestashop_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// post is a module post as the module makes it: a JSON body signed with
// the secret at the clock's time, naming the shop in ShopHeader.
type post struct {
	Shop               string `json:"shop"`
	IDProduct          any    `json:"id_product"`
	IDProductAttribute any    `json:"id_product_attribute"`
	Quantity           any    `json:"quantity"`
	UpdatedAt          string `json:"updated_at"`
}

func (e *env) signed(secret string, p post) (http.Header, []byte) {
	body, _ := json.Marshal(p)
	h := http.Header{}
	h.Set(prestashop.ShopHeader, e.fake.URL()+"/")
	h.Set(stockbell.ModuleSignatureHeader, stockbell.SignModulePost(secret, e.clock.Now(), body))
	return h, body
}

func (e *env) verifier() *prestashop.WebhookVerifier {
	return &prestashop.WebhookVerifier{Shops: e.db, Secrets: e.db, Sealer: e.in.Sealer, Clock: e.clock}
}

func (e *env) stockPost(product, attribute int64, quantity int) post {
	return post{Shop: e.fake.URL() + "/", IDProduct: product, IDProductAttribute: attribute, Quantity: quantity,
		UpdatedAt: e.clock.Now().Format(time.RFC3339)}
}

// TestVerifyWebhook: a post signed with the shop's module secret is a
// receipt of that shop (numbers may be strings), deduplicated on its body;
// a wrong or stale signature, an unknown shop or a malformed body is
// refused before anything is stored, naming what is wrong.
func TestVerifyWebhook(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		v := e.verifier()
		p := e.stockPost(shirtID, shirtSmall, 4)
		p.IDProduct, p.Quantity = "1", "4"
		header, body := e.signed(secret, p)
		rc, err := v.VerifyWebhook(ctx, header, body)
		must(t, err)
		if rc.Domain != shop.Domain || *rc.ShopID != shop.ID || rc.PayloadDomain != shop.Domain || rc.Topic != prestashop.TopicStockUpdate ||
			len(rc.EventID) != 64 || !rc.TriggeredAt.Equal(e.clock.Now().Truncate(time.Second)) {
			t.Fatalf("receipt = %+v", rc)
		}

		other := e.stockPost(shirtID, shirtSmall, 4)
		other.Shop = "https://elsewhere.example/"
		header, body = e.signed(secret, other)
		rc, err = v.VerifyWebhook(ctx, header, body)
		must(t, err)
		if rc.PayloadDomain != "elsewhere.example" || rc.Domain != shop.Domain {
			t.Fatalf("a body about another shop must carry it for the route to refuse: %+v", rc)
		}

		cases := []struct {
			name  string
			tweak func(h http.Header, body []byte) (http.Header, []byte)
			code  string
			says  string
		}{
			{"wrong secret", func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(stockbell.ModuleSignatureHeader, stockbell.SignModulePost(strings.Repeat("0", 64), e.clock.Now(), b))
				return h, b
			}, stockbell.EUNAUTHORIZED, "does not match"},
			{"altered body", func(h http.Header, b []byte) (http.Header, []byte) {
				return h, []byte(strings.Replace(string(b), `"quantity":4`, `"quantity":40`, 1))
			}, stockbell.EUNAUTHORIZED, "does not match"},
			{"stale", func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(stockbell.ModuleSignatureHeader, stockbell.SignModulePost(secret, e.clock.Now().Add(-6*time.Minute), b))
				return h, b
			}, stockbell.EUNAUTHORIZED, "replay"},
			{"no signature", func(h http.Header, b []byte) (http.Header, []byte) {
				h.Del(stockbell.ModuleSignatureHeader)
				return h, b
			}, stockbell.EUNAUTHORIZED, "missing"},
			{"unknown shop", func(h http.Header, b []byte) (http.Header, []byte) {
				h.Set(prestashop.ShopHeader, "https://unknown.example")
				return h, b
			}, stockbell.EUNAUTHORIZED, "connected PrestaShop shop"},
		}
		for _, c := range cases {
			header, body := e.signed(secret, e.stockPost(shirtID, shirtSmall, 4))
			header, body = c.tweak(header, body)
			_, err := v.VerifyWebhook(ctx, header, body)
			if stockbell.ErrorCode(err) != c.code || !strings.Contains(stockbell.ErrorMessage(err), c.says) {
				t.Errorf("%s: %v, want %s saying %q", c.name, err, c.code, c.says)
			}
		}
	})
}

// TestVerifyWebhookMalformedBody: a signed body that is not a stock post
// is EINVALID naming the field.
func TestVerifyWebhookMalformedBody(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, secret := e.connected()
		for field, p := range map[string]post{
			"id_product": {Shop: e.fake.URL(), Quantity: 1, UpdatedAt: e.clock.Now().Format(time.RFC3339)},
			"quantity":   {Shop: e.fake.URL(), IDProduct: 1, UpdatedAt: e.clock.Now().Format(time.RFC3339)},
			"updated_at": {Shop: e.fake.URL(), IDProduct: 1, Quantity: 1, UpdatedAt: "2026-03-01 12:00:00"},
			"shop":       {IDProduct: 1, Quantity: 1, UpdatedAt: e.clock.Now().Format(time.RFC3339)},
			"body":       {Shop: e.fake.URL(), IDProduct: "one", Quantity: 1, UpdatedAt: e.clock.Now().Format(time.RFC3339)},
		} {
			header, body := e.signed(secret, p)
			_, err := e.verifier().VerifyWebhook(ctx, header, body)
			if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != field {
				t.Errorf("%s: %v (field %q)", field, err, stockbell.ErrorField(err))
			}
		}
	})
}

// TestVerifyWebhookNamesTheShopItDoesNotKnow: a post from a shop that is
// not connected (connected under another URL, say) is refused naming the
// shop the module posted as, which the merchant compares with the URL
// they connected; a post naming no shop says so.
func TestVerifyWebhookNamesTheShopItDoesNotKnow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, secret := e.connected()
		for header, says := range map[string]string{
			"https://www.unknown.example/": `"www.unknown.example"`,
			"":                             "names no shop",
		} {
			h, body := e.signed(secret, e.stockPost(shirtID, shirtSmall, 4))
			h.Set(prestashop.ShopHeader, header)
			_, err := e.verifier().VerifyWebhook(ctx, h, body)
			if msg := stockbell.ErrorMessage(err); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED ||
				!strings.Contains(msg, "does not come from a connected PrestaShop shop") || !strings.Contains(msg, says) {
				t.Errorf("X-Stockbell-Shop %q: %v, want EUNAUTHORIZED saying %s", header, err, says)
			}
		}
	})
}
