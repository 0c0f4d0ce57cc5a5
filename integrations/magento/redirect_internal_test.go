package magento

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSignedReadsStayOnTheStore: a REST answer redirecting to another host
// (or from https to http) does not make Stockbell send that host a request
// signed with the integration's tokens: the OAuth transport signs every
// hop afresh, so the policy must stop the hop itself. The read fails.
func TestSignedReadsStayOnTheStore(t *testing.T) {
	var signedElsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), "oauth_token") {
			signedElsewhere.Add(1)
		}
		w.Write([]byte(`{}`))
	}))
	defer other.Close()
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusFound)
	}))
	defer store.Close()
	c := NewClient(true)
	c.Sleep = func(context.Context, time.Duration) error { return nil }
	cred := Credentials{BaseURL: store.URL, ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tok", TokenSecret: "ts", Method: MethodHMACSHA256}
	var out map[string]any
	err := c.get(context.Background(), cred, "/store/storeConfigs", nil, &out)
	if n := signedElsewhere.Load(); n > 0 {
		t.Fatalf("%d signed requests reached another host", n)
	}
	if err == nil || !strings.Contains(err.Error(), "redirected to another host") {
		t.Fatalf("a read redirected off the store: %v", err)
	}
}

// TestSignedReadsKeepTheTimeout: the OAuth library's client keeps only the
// transport of the client it is given; REST reads keep its timeout, so a
// store that never answers does not hold a job until the job's own end.
func TestSignedReadsKeepTheTimeout(t *testing.T) {
	c := NewClient(false)
	signed := c.signedClient(context.Background(), Credentials{BaseURL: "https://store.example.com", ConsumerKey: "ck", ConsumerSecret: "cs"})
	if c.HTTP.Timeout == 0 || signed.Timeout != c.HTTP.Timeout {
		t.Fatalf("signed reads time out after %v, want the client's %v", signed.Timeout, c.HTTP.Timeout)
	}
}

// TestExchangeNeverFollowsADowngrade: a token endpoint on https
// redirecting to http on the same host (where Go sends the Authorization
// header again) gets no signed token request sent in clear (the OAuth
// header carries the request token and the verifier); the exchange fails.
func TestExchangeNeverFollowsADowngrade(t *testing.T) {
	var signedInClear atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), "oauth_consumer_key") {
			signedInClear.Add(1)
		}
		w.Write([]byte("oauth_token=t&oauth_token_secret=s"))
	}))
	defer plain.Close()
	store := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer store.Close()
	c := NewClient(true)
	c.HTTP.Transport.(*http.Transport).TLSClientConfig = store.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	_, err := c.Exchange(context.Background(), Credentials{BaseURL: store.URL, ConsumerKey: "ck", ConsumerSecret: "cs"}, "verifier")
	if n := signedInClear.Load(); n > 0 {
		t.Fatalf("%d signed token requests were sent over http", n)
	}
	if err == nil || !strings.Contains(err.Error(), "redirected from https to http") {
		t.Fatalf("an exchange redirected to http: %v", err)
	}
}
