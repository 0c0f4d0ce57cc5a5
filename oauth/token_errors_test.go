package oauth_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// leakedToken stands for a token in a token endpoint's answer.
const leakedToken = "shpat_0123456789abcdef0123456789abcdef"

// TestTokenEndpointErrorsNeverShowTheBody: whatever the token endpoint
// answers (an error page echoing the request, a success cut short, a
// refusal whose description holds a token), the install fails without the
// body reaching the logs or the merchant's page.
func TestTokenEndpointErrorsNeverShowTheBody(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, reply := range []shopifytest.TokenReply{
			{Status: http.StatusInternalServerError, Body: `<html>upstream said: access_token=` + leakedToken + `</html>`},
			{Status: http.StatusOK, Body: `{"access_tok":"` + leakedToken + `","scope":"read_products"`},
			{Status: http.StatusOK, Body: `{"token":"` + leakedToken + `"}`},
			{Status: http.StatusBadRequest, Body: `{"error":"invalid_request","error_description":"code for ` + leakedToken + ` was used"}`},
			{Status: http.StatusBadRequest, Body: `{"error":"` + leakedToken + `"}`},
			{Status: http.StatusFound, Body: leakedToken},
		} {
			e := newInstallEnv(t, db)
			back := e.authorize(e.begin(testShop))
			e.fake.TokenReply = reply
			res := e.callback(back)
			page := body(res)
			if res.StatusCode < 400 {
				t.Fatalf("answer %d %q: install answered %d", reply.Status, reply.Body, res.StatusCode)
			}
			if strings.Contains(page, leakedToken) || strings.Contains(e.logs.String(), leakedToken) {
				t.Fatalf("answer %d %q: the body reached the page or the logs:\n%s\n%s", reply.Status, reply.Body, page, e.logs.String())
			}
		}
	})
}

// TestBigCommerceTokenEndpointErrorsNeverShowTheBody: the same for
// BigCommerce's token endpoint: whatever it answers, the install fails
// with an error (which the callback route logs whole and shows in part)
// that never carries the body.
func TestBigCommerceTokenEndpointErrorsNeverShowTheBody(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, reply := range []struct {
			status int
			body   string
		}{
			{http.StatusInternalServerError, `<html>upstream said: access_token=` + leakedToken + `</html>`},
			{http.StatusOK, `{"access_tok":"` + leakedToken + `","scope":"store_v2_products_read_only"`},
			{http.StatusOK, `{"token":"` + leakedToken + `"}`},
			{http.StatusBadRequest, `{"error":"` + leakedToken + `"}`},
			{http.StatusUnauthorized, `{"error":"invalid_client","error_description":"` + leakedToken + `"}`},
		} {
			login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(reply.status)
				w.Write([]byte(reply.body))
			}))
			sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("s"), 32))
			cfg := stockbell.BigCommerceConfig{ClientID: "client-id", ClientSecret: "client-secret", LoginURL: login.URL, APIURL: login.URL,
				AppURL: "https://app.example"}
			steps := oauth.NewBigCommerce(cfg, db, db, sealer, nil, nil, bigcommercetest.NewClock(time.Now()), slog.New(slog.DiscardHandler))
			_, _, err := steps.Install(ctx, url.Values{"code": {"code-1"}, "context": {"stores/" + bcHash}, "scope": {"store_v2_products_read_only"}})
			login.Close()
			if err == nil {
				t.Fatalf("answer %d %q: the install succeeded", reply.status, reply.body)
			}
			if strings.Contains(err.Error(), leakedToken) || strings.Contains(stockbell.ErrorMessage(err), leakedToken) {
				t.Fatalf("answer %d %q: the body reached the error: %v", reply.status, reply.body, err)
			}
		}
	})
}
