package delivery

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// TwilioSignatureHeader carries Twilio's signature of a webhook request.
const TwilioSignatureHeader = "X-Twilio-Signature"

// maxTwilioForm bounds an inbound message's form: Twilio's are about 1 KB.
const maxTwilioForm = 64 << 10

// TwilioInbound verifies the webhooks Twilio posts for incoming text
// messages (a shopper's reply), as Twilio documents: the signature is the
// base64 HMAC-SHA1, keyed with the account's auth token, of the full URL
// Twilio requested followed by each POST parameter's name and value,
// sorted by name (a repeated one's distinct values sorted).
type TwilioInbound struct {
	AuthToken string
	// PublicURL is where the server is reached (without a trailing slash):
	// the URL Twilio signed is PublicURL plus the request's path and query,
	// whatever proxies rewrote on the way.
	PublicURL string
}

// Verify reads the request's form and checks its signature. Returns
// EUNAUTHORIZED for a request unsigned or signed with another token,
// EINVALID for a form that cannot be read.
func (t *TwilioInbound) Verify(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTwilioForm)
	if err := r.ParseForm(); err != nil {
		return nil, stockbell.FieldErrorf("body", "The request is not a form.")
	}
	full := strings.TrimRight(t.PublicURL, "/") + r.URL.RequestURI()
	want := TwilioSignature(t.AuthToken, full, r.PostForm)
	got := r.Header.Get(TwilioSignatureHeader)
	if t.AuthToken == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The request's %s does not match.", TwilioSignatureHeader)
	}
	return r.PostForm, nil
}

// TwilioSignature is Twilio's signature of a request to fullURL with the
// POST parameters params.
func TwilioSignature(authToken, fullURL string, params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write([]byte(fullURL))
	for _, name := range names {
		// A repeated parameter counts each distinct value once, in order
		// (as Twilio's own validators compute it).
		values := slices.Compact(slices.Sorted(slices.Values(params[name])))
		for _, value := range values {
			m.Write([]byte(name + value))
		}
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
