package bigcommerce_test

import (
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func header(h map[string]string) http.Header {
	out := http.Header{}
	for k, v := range h {
		out.Set(k, v)
	}
	return out
}

func TestVerifyWebhook(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop := e.installed()
		d, err := e.fake.Event(storeHash, bigcommerce.ScopeSKUInventory, bigcommercetest.SKUInventory(shirtSmallSKU, shirtID, shirtSmall, "absolute", 5))
		must(t, err)
		rc, err := e.verifier.VerifyWebhook(ctx, header(d.Headers), d.Body)
		must(t, err)
		if rc.Platform != stockbell.PlatformBigCommerce || *rc.ShopID != shop.ID || rc.Domain != "stores/"+storeHash ||
			rc.Topic != bigcommerce.ScopeSKUInventory || len(rc.EventID) != 40 || !rc.TriggeredAt.Equal(e.clock.Now().Truncate(1e9)) {
			t.Fatalf("receipt = %+v", rc)
		}
		secret := d.Headers[bigcommerce.SecretHeader]

		// The secret is checked before anything is parsed.
		for name, h := range map[string]http.Header{
			"missing": {}, "wrong": header(map[string]string{bigcommerce.SecretHeader: strings.Repeat("0", 64)}),
			"truncated": header(map[string]string{bigcommerce.SecretHeader: secret[:63]}),
		} {
			for _, body := range [][]byte{d.Body, []byte("not json")} {
				if _, err := e.verifier.VerifyWebhook(ctx, h, body); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
					t.Errorf("%s secret: %v, want unauthorized", name, err)
				}
			}
		}
		// The right secret with another store as producer is refused.
		forged := strings.Replace(string(d.Body), `"producer":"stores/`+storeHash+`"`, `"producer":"stores/other9"`, 1)
		if _, err := e.verifier.VerifyWebhook(ctx, header(d.Headers), []byte(forged)); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
			t.Errorf("another store's producer: %v", err)
		}
		for body, field := range map[string]string{
			"not json": "body",
			`{"producer":"stores/` + storeHash + `","hash":"abc"}`:                    "scope",
			`{"producer":"stores/` + storeHash + `","scope":"store/product/updated"}`: "hash",
		} {
			_, err := e.verifier.VerifyWebhook(ctx, header(d.Headers), []byte(body))
			if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != field {
				t.Errorf("body %s: %v, want invalid %s", body, err, field)
			}
		}
	})
}
