package oauth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
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
