package magento

import (
	"context"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
)

// FuzzActivationURLs: anyone may post an activation, so its store base URL
// and the identity link's success_call_back are hostile input. A base URL
// is refused (EINVALID naming store_base_url) or is an absolute https URL
// (http only when allowed) without user, query, fragment or trailing
// slash, which checks again as itself; and a success_call_back accepted
// for that store begins, as text (so whatever parser a browser uses), with
// the scheme and the store's host followed by the end of the authority: the
// identity link never redirects off the store.
func FuzzActivationURLs(f *testing.F) {
	f.Add("https://shop.example.com/", "https://shop.example.com/admin/admin/integration/loginSuccessCallback", false)
	f.Add("http://127.0.0.1:8080", "http://127.0.0.1:8080/admin?x=1#y", true)
	f.Add("https://Shop.Example.com/magento/", "https://shop.example.com.evil.test/", false)
	f.Add("https://user:pw@shop.example.com", "https://shop.example.com@evil.test/", false)
	f.Add("https://[::1]:8443/", "https://[::1]:8443/", false)
	f.Add("https://shop.example.com", "//evil.test/", false)
	f.Add("https://shop.example.com", "https://evil.test\\@shop.example.com/", false)
	f.Add("javascript:alert(1)//shop.example.com", "javascript:alert(1)", true)
	f.Fuzz(func(t *testing.T, raw, back string, allowHTTP bool) {
		in := &Integration{AllowHTTP: allowHTTP}
		base, err := in.baseURL(raw)
		if err != nil {
			if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != FieldStoreBaseURL {
				t.Fatalf("base URL %q: %v, want EINVALID naming %s", raw, err, FieldStoreBaseURL)
			}
			return
		}
		checkBaseURL(t, in, raw, base)
		domain := storeDomain(base)
		ret, err := returnTo(back, domain)
		if err != nil {
			if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != FieldSuccessCall {
				t.Fatalf("success_call_back %q: %v, want EINVALID naming %s", back, err, FieldSuccessCall)
			}
			return
		}
		if !onHost(ret, domain) {
			t.Fatalf("success_call_back %q for the store %s returns to %q, off the store", back, domain, ret)
		}
	})
}

func checkBaseURL(t *testing.T, in *Integration, raw, base string) {
	t.Helper()
	u, err := url.Parse(base)
	switch {
	case err != nil:
		t.Fatalf("base URL %q checked as %q, which does not parse: %v", raw, base, err)
	case u.Scheme != "https" && !(in.AllowHTTP && u.Scheme == "http"):
		t.Fatalf("base URL %q checked as %q: scheme %q", raw, base, u.Scheme)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(base, "/"):
		t.Fatalf("base URL %q checked as %q, with a user, query, fragment or trailing slash", raw, base)
	case storeDomain(base) == "" || storeDomain(base) != strings.ToLower(storeDomain(base)):
		t.Fatalf("base URL %q checked as %q names the store %q", raw, base, storeDomain(base))
	}
	if again, err := in.baseURL(base); err != nil || again != base {
		t.Fatalf("base URL %q checked as %q, which checks as %q, %v", raw, base, again, err)
	}
}

// onHost reports whether target begins with http(s)://domain and the end
// of the authority.
func onHost(target, domain string) bool {
	lower := strings.ToLower(target)
	for _, scheme := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(lower, scheme+strings.ToLower(domain)); ok {
			return rest == "" || strings.ContainsAny(rest[:1], "/?#")
		}
	}
	return false
}

// FuzzSignedStockRead: whatever a store's SKUs are, the stock read of one
// (its stock item by path, its source items by a searchCriteria query) is
// signed so that a store checking OAuth 1.0a by RFC 5849 accepts both
// requests, and the SKU reaches the store intact: the read returns that
// product's levels.
func FuzzSignedStockRead(f *testing.F) {
	store := magentotest.New()
	f.Cleanup(store.Close)
	client := NewClient(true)
	client.Sleep = func(context.Context, time.Duration) error { return nil }
	form := store.ActivationForm()
	cred, err := client.Exchange(context.Background(), Credentials{BaseURL: store.URL(),
		ConsumerKey: form.Get(FieldConsumerKey), ConsumerSecret: form.Get(FieldConsumerSecret)}, form.Get(FieldVerifier))
	if err != nil {
		f.Fatal(err)
	}
	store.Do(func(s *magentotest.Fake) { s.MSI = true })
	f.Add("TSHIRT-S", 3.0)
	f.Add("MUG/ÉTÉ \"2\"", 1.5)
	f.Add("a+b c&d=e%2F?#[]", 0.0)
	f.Add("24-MB01", -4.0)
	f.Add("~!*'();:@$,", 1e12)
	f.Fuzz(func(t *testing.T, sku string, qty float64) {
		if strings.Trim(sku, ".") == "" || !utf8.ValidString(sku) || math.IsNaN(qty) || math.IsInf(qty, 0) {
			// Magento keeps SKUs as UTF-8 text and quantities as decimals
			// (JSON has no NaN or infinity); "." and ".." are path
			// segments every HTTP stack resolves before the store sees them.
			return
		}
		store.Do(func(s *magentotest.Fake) {
			s.Products = []*magentotest.Product{{ID: 1, SKU: sku, Type: "simple", Qty: qty, InStock: qty > 0, ManageStock: true,
				Sources: map[string]float64{"eu-1": qty}}}
		})
		got, err := client.stockOf(context.Background(), cred, sku, nil)
		if err != nil {
			t.Fatalf("SKU %q: %v", sku, err)
		}
		want := available(qty, qty > 0)
		if len(got.levels) != 1 || got.levels[0].LocationID != "eu-1" || got.levels[0].Available != want || !got.tracked {
			t.Fatalf("SKU %q with %v at eu-1: read %+v, want %d there", sku, qty, got, want)
		}
	})
}
