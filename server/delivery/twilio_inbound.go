package delivery

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"slices"
	"sort"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// TwilioSignatureHeader carries Twilio's signature of a webhook request.
const TwilioSignatureHeader = "X-Twilio-Signature"

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

// Verify checks the signature of an inbound-message request: its path
// and query (requestURI, as the request line gives them), its POST
// parameters and its X-Twilio-Signature header. Returns EUNAUTHORIZED for
// a request unsigned or signed with another token.
func (t *TwilioInbound) Verify(requestURI string, form url.Values, signature string) error {
	full := strings.TrimRight(t.PublicURL, "/") + requestURI
	want := TwilioSignature(t.AuthToken, full, form)
	if t.AuthToken == "" || signature == "" || subtle.ConstantTimeCompare([]byte(signature), []byte(want)) != 1 {
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The request's %s does not match.", TwilioSignatureHeader)
	}
	return nil
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
