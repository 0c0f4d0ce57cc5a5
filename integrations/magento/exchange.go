package magento

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/dghubble/oauth1"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/netguard"
)

// Magento's OAuth 1.0a token endpoints, under the store's base URL.
const (
	RequestTokenPath = "/oauth/token/request"
	AccessTokenPath  = "/oauth/token/access"
)

// Exchange runs the OAuth 1.0a token exchange of an activation: a request
// token for the consumer, then an access token for the request token and
// the verifier. It signs with HMAC-SHA256 and, when the store refuses that
// method (Magento before 2.4 knows only HMAC-SHA1), with HMAC-SHA1. It
// returns the credentials with the access token, EUNAUTHORIZED (saying
// Magento's oauth_problem) when the store refuses the exchange, EUPSTREAM
// when it cannot be reached.
func (c *Client) Exchange(ctx context.Context, cred Credentials, verifier string) (Credentials, error) {
	var err error
	for _, method := range []string{MethodHMACSHA256, MethodHMACSHA1} {
		cred.Method = method
		var out Credentials
		out, err = c.exchange(ctx, cred, verifier)
		var refused *tokenRefusal
		if !errors.As(err, &refused) || !refused.methodUnsupported() {
			return out, err
		}
	}
	return Credentials{}, err
}

func (c *Client) exchange(ctx context.Context, cred Credentials, verifier string) (Credentials, error) {
	base := strings.TrimRight(cred.BaseURL, "/")
	answers := &tokenAnswers{base: c.HTTP.Transport, requestURL: base + RequestTokenPath}
	cfg := c.config(cred)
	cfg.CallbackURL = "oob"
	cfg.Endpoint = oauth1.Endpoint{RequestTokenURL: base + RequestTokenPath, AccessTokenURL: base + AccessTokenPath}
	cfg.HTTPClient = &http.Client{Transport: answers, Timeout: c.HTTP.Timeout, CheckRedirect: netguard.StayOnHost("Magento store")}
	requestToken, requestSecret, err := cfg.RequestToken()
	if err != nil {
		return Credentials{}, answers.explain("request token", err)
	}
	cred.Token, cred.TokenSecret, err = cfg.AccessToken(requestToken, requestSecret, verifier)
	if err != nil {
		return Credentials{}, answers.explain("access token", err)
	}
	return cred, nil
}

// tokenAnswers carries the token requests. It remembers why Magento
// refused one (its oauth_problem), and it adds oauth_callback_confirmed
// to Magento's request-token answer: Magento answers only oauth_token and
// oauth_token_secret (its integrations receive the verifier with the
// activation, so there is no callback to confirm), which the OAuth library
// would otherwise refuse. Nothing signed is changed.
type tokenAnswers struct {
	base       http.RoundTripper
	requestURL string
	refusal    *tokenRefusal
}

func (t *tokenAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	redirect := resp.StatusCode >= 300 && resp.StatusCode < 400 // the client's redirect policy judges it
	if resp.StatusCode != http.StatusOK && !redirect {
		t.refusal = &tokenRefusal{status: resp.StatusCode, problem: problemOf(raw)}
	} else if req.URL.String() == t.requestURL && !bytes.Contains(raw, []byte("oauth_callback_confirmed=")) {
		raw = append(bytes.TrimSpace(raw), "&oauth_callback_confirmed=true"...)
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	resp.ContentLength = int64(len(raw))
	return resp, nil
}

// explain turns a failed step into a domain error.
func (t *tokenAnswers) explain(step string, err error) error {
	if t.refusal != nil {
		return t.refusal.withStep(step)
	}
	return stockbell.Errorf(stockbell.EUPSTREAM, "The Magento store could not be reached for the %s: %v", step, err)
}

// tokenRefusal is Magento refusing a token request.
type tokenRefusal struct {
	status  int
	problem string
	step    string
}

func (r *tokenRefusal) withStep(step string) error {
	refusal := *r
	refusal.step = step
	return &refusal
}

func (r *tokenRefusal) Error() string {
	return "Magento refused the " + r.step + " (" + http.StatusText(r.status) + "): " + r.problem
}

// Unwrap makes the refusal an EUNAUTHORIZED domain error.
func (r *tokenRefusal) Unwrap() error {
	return stockbell.Errorf(stockbell.EUNAUTHORIZED, "Magento refused the %s: %s. Activate the integration again in System › Extensions › Integrations.", r.step, r.problem)
}

func (r *tokenRefusal) methodUnsupported() bool {
	return strings.Contains(strings.ToLower(r.problem), "signature method")
}

// problemOf reads oauth_problem from a refused token answer. Nothing else
// of the body is ever shown or logged (it may hold a token), nor a problem
// that does not read as prose.
func problemOf(raw []byte) string {
	values, _ := url.ParseQuery(strings.TrimSpace(string(raw)))
	if problem := values.Get("oauth_problem"); readsAsProse(problem) {
		return problem
	}
	return fmt.Sprintf("no oauth_problem given (%d bytes not shown)", len(raw))
}

// readsAsProse reports whether s is at most 200 characters without a run
// of 16 letters or digits (a token or secret).
func readsAsProse(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	run := 0
	for _, r := range s {
		if run = run + 1; !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
			run = 0
		} else if run >= 16 {
			return false
		}
	}
	return true
}
