package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// FuzzStorefrontRequest: the storefront decoder and validator never panic
// on any body, and answer EINVALID, ETOOLARGE or a subscription to create.
func FuzzStorefrontRequest(f *testing.F) {
	f.Add([]byte(`{"shop":"bells.myshopify.com","variant_id":"111","channels":["email"],"email":"jane@example.com"}`))
	f.Add([]byte(`{"shop":"s","variant_id":4400000000011,"channels":["sms","email"],"phone":"030 901820","phone_country":"DE","email":"a@b.de","sms_consent":true}`))
	f.Add([]byte(`{"variant_id":[1],"channels":"email"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"shop":"s","variant_id":"1","channels":["email"],"email":"a@b.de"}{"shop":"t"}`))
	f.Add([]byte(`{"variant_id":true} `))
	f.Add([]byte(`[{"variant_id":-1.5e3}]`))
	shop := &stockbell.Shop{ID: 1, Platform: stockbell.PlatformShopify, Domain: "bells.myshopify.com", Status: stockbell.ShopInstalled}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, SubscriptionsPath, strings.NewReader(string(body)))
		req, err := decodeSubscription(httptest.NewRecorder(), r)
		if err != nil {
			if code := stockbell.ErrorCode(err); code != stockbell.EINVALID && code != stockbell.ETOOLARGE {
				t.Fatalf("decode error %v", err)
			}
			return
		}
		create, err := validateSubscription(shop, req)
		if err != nil {
			if stockbell.ErrorCode(err) != stockbell.EINVALID {
				t.Fatalf("validation error %v", err)
			}
			return
		}
		if len(create.Channels) == 0 || create.ShopID != shop.ID {
			t.Fatalf("accepted %+v", create)
		}
	})
}
