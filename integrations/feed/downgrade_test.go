package feed_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
)

// TestCredentialsNeverFollowADowngrade: a feed fetched over https with
// credentials that redirects to http on the same host (where Go would send
// basic auth and a credential header again, in clear) fails with a reason
// for the sync log, and the http host never sees the credentials. A feed
// without credentials may still be redirected so.
func TestCredentialsNeverFollowADowngrade(t *testing.T) {
	plain := feedtest.NewServer()
	defer plain.Close()
	plain.Set("/feed.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(1, 1))})
	secure := httptest.NewTLSServer(http.RedirectHandler(plain.URL("/feed.json"), http.StatusFound))
	defer secure.Close()
	f := devFetcher()
	f.TrustTLS(secure)

	for name, creds := range map[string]*feed.Credentials{
		"basic auth": {Username: "feeds", Password: "s3cret"},
		"header":     {Header: "X-Api-Key", Value: "k-123"},
	} {
		_, err := f.Fetch(ctx, secure.URL+"/feed.json", creds, feed.Validators{})
		if got := plain.Header("/feed.json"); got != nil && (got.Get("Authorization") != "" || got.Get("X-Api-Key") != "") {
			t.Fatalf("%s: credentials sent over http: %v", name, got)
		}
		wantFetchError(t, err, "redirected from https to http")
	}
	doc, err := f.Fetch(ctx, secure.URL+"/feed.json", nil, feed.Validators{})
	if err != nil {
		t.Fatalf("a public feed redirected to http: %v", err)
	}
	doc.Body.Close()
}
