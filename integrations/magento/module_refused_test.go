package magento_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestModuleSaysInWordsWhyStockbellRefusedAPost: a post Stockbell refuses
// 401 (a secret that is not the store's, the store's clock) waits in the
// queue with its reason in last_error, which the merchant reads: it says
// in words what Stockbell refused and why, in Stockbell's own words, and
// what to check (the secret in the module's settings against the one
// Stockbell showed), not Stockbell's raw JSON.
func TestModuleSaysInWordsWhyStockbellRefusedAPost(t *testing.T) {
	const message = "The X-Stockbell-Signature header does not match the body and the shop's module secret."
	stockbell := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"code":"unauthorized","message":"The X-Stockbell-Signature header does not match the body and the shop's module secret."}}` + "\n"))
	}))
	defer stockbell.Close()
	out := postThroughModule(t, stockbell.URL)
	var queued string
	for _, line := range strings.Split(out, "\n") {
		if reason, ok := strings.CutPrefix(line, "queued "); ok {
			queued = reason
		}
	}
	want := "Stockbell refused the post (401): " + message +
		" Check that the secret in Stores > Configuration > Services > Stockbell Back in Stock is the one Stockbell showed."
	if queued != want {
		t.Errorf("a post refused 401 is queued with the reason\n%q\nwant\n%q\n(printed: %s)", queued, want, out)
	}
	if len(want) > 255 {
		t.Errorf("the reason is %d bytes: last_error keeps 255", len(want))
	}
}
