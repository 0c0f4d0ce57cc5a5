package magento_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
)

func credentialsOf(f *magentotest.Fake) magento.Credentials {
	form := f.ActivationForm()
	return magento.Credentials{BaseURL: f.URL(), ConsumerKey: form.Get("oauth_consumer_key"), ConsumerSecret: form.Get("oauth_consumer_secret")}
}

// The exchange signs with HMAC-SHA256, and with HMAC-SHA1 where the store
// accepts only that; the store checks every signature.
func TestExchangeChoosesTheStoresMethod(t *testing.T) {
	for _, c := range []struct {
		accepted []string
		want     string
	}{
		{[]string{magento.MethodHMACSHA256, magento.MethodHMACSHA1}, magento.MethodHMACSHA256},
		{[]string{magento.MethodHMACSHA1}, magento.MethodHMACSHA1},
	} {
		f := magentotest.New()
		f.Do(func(f *magentotest.Fake) { f.Methods = c.accepted })
		cred, err := magento.NewClient(true).Exchange(context.Background(), credentialsOf(f), f.Verifier)
		f.Close()
		if err != nil || cred.Method != c.want || cred.Token == "" || cred.TokenSecret == "" {
			t.Errorf("store accepting %v: credentials %+v, %v; want %s", c.accepted, cred, err, c.want)
		}
	}
}

func TestExchangeRefusals(t *testing.T) {
	f := magentotest.New()
	defer f.Close()
	client := magento.NewClient(true)
	wrongSecret := credentialsOf(f)
	wrongSecret.ConsumerSecret = "guessed"
	_, err := client.Exchange(context.Background(), wrongSecret, f.Verifier)
	if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED || !strings.Contains(stockbell.ErrorMessage(err), "signature is invalid") {
		t.Errorf("a wrong consumer secret: %v", err)
	}
	_, err = client.Exchange(context.Background(), credentialsOf(f), "not-the-verifier")
	if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED || !strings.Contains(stockbell.ErrorMessage(err), "access token") {
		t.Errorf("a wrong verifier: %v", err)
	}
	gone := credentialsOf(f)
	gone.BaseURL = "http://127.0.0.1:1"
	if _, err = client.Exchange(context.Background(), gone, f.Verifier); stockbell.ErrorCode(err) != stockbell.EUPSTREAM {
		t.Errorf("an unreachable store: %v", err)
	}
}

// In production a store's address must be public: a loopback store is
// refused when dialled.
func TestClientRefusesNonPublicAddresses(t *testing.T) {
	f := magentotest.New()
	defer f.Close()
	_, err := magento.NewClient(false).Exchange(context.Background(), credentialsOf(f), f.Verifier)
	if stockbell.ErrorCode(err) != stockbell.EUPSTREAM || !strings.Contains(err.Error(), "refused to connect to 127.0.0.1") ||
		!strings.Contains(err.Error(), "Magento stores must be on the public internet") || f.AccessGranted() {
		t.Fatalf("a loopback store in production: %v", err)
	}
}

// A store refusing the exchange is quoted only by its oauth_problem, when
// that reads as prose: no other part of its answer (which may echo the
// request or hold a token) reaches the error the activation route shows
// and logs.
func TestExchangeRefusalsNeverShowTheBody(t *testing.T) {
	const leaked = "0123456789abcdef0123456789abcdef"
	for _, reply := range []struct {
		status int
		body   string
		says   string
	}{
		{http.StatusUnauthorized, "oauth_token=" + leaked + "&oauth_token_secret=" + leaked, "no oauth_problem"},
		{http.StatusInternalServerError, "<html>Fatal error: oauth_verifier " + leaked + "</html>", "no oauth_problem"},
		{http.StatusBadRequest, "oauth_problem=token+" + leaked + "+rejected", "no oauth_problem"},
		{http.StatusUnauthorized, "oauth_problem=The+signature+is+invalid.+Verify+and+try+again.", "The signature is invalid"},
	} {
		store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(reply.status)
			w.Write([]byte(reply.body))
		}))
		_, err := magento.NewClient(true).Exchange(context.Background(), magento.Credentials{BaseURL: store.URL, ConsumerKey: "key", ConsumerSecret: "secret"}, "verifier")
		store.Close()
		if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED || !strings.Contains(err.Error(), reply.says) {
			t.Errorf("answer %d %q: %v, want EUNAUTHORIZED saying %q", reply.status, reply.body, err, reply.says)
		}
		if strings.Contains(err.Error(), leaked) || strings.Contains(stockbell.ErrorMessage(err), leaked) {
			t.Errorf("answer %d %q: the body reached the error: %v", reply.status, reply.body, err)
		}
	}
}
