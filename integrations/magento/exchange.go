package magento

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
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
//
// A token request is tried again (see retryWait) only when the store
// cannot have processed it, since Magento's token requests are single-use:
// the request token turns the integration's verifier token into a request
// token, and the access token turns that into the access token; asked
// again, either is refused (Magento\Integration\Model\Oauth\Token\Provider).
func (c *Client) Exchange(ctx context.Context, cred Credentials, verifier string) (Credentials, error) {
	base := strings.TrimRight(cred.BaseURL, "/")
	answers := &tokenAnswers{base: c.HTTP.Transport, requestURL: base + RequestTokenPath}
	var err error
	for _, method := range []string{MethodHMACSHA256, MethodHMACSHA1} {
		cred.Method = method
		var out Credentials
		out, err = c.exchange(ctx, cred, verifier, answers)
		var refused *tokenRefusal
		if !errors.As(err, &refused) || !refused.methodUnsupported() {
			return out, err
		}
	}
	return Credentials{}, err
}

func (c *Client) exchange(ctx context.Context, cred Credentials, verifier string, answers *tokenAnswers) (Credentials, error) {
	base := strings.TrimRight(cred.BaseURL, "/")
	cfg := c.config(cred)
	cfg.CallbackURL = "oob"
	cfg.Endpoint = oauth1.Endpoint{RequestTokenURL: base + RequestTokenPath, AccessTokenURL: base + AccessTokenPath}
	cfg.HTTPClient = &http.Client{Transport: answers, Timeout: c.HTTP.Timeout, CheckRedirect: netguard.StayOnHost("Magento store")}
	requestToken, requestSecret, err := c.tokenRequest(ctx, answers, cfg.RequestToken)
	if err != nil {
		return Credentials{}, answers.explain("request token", err)
	}
	cred.Token, cred.TokenSecret, err = c.tokenRequest(ctx, answers, func() (string, string, error) {
		return cfg.AccessToken(requestToken, requestSecret, verifier)
	})
	if err != nil {
		return Credentials{}, answers.explain("access token", err)
	}
	return cred, nil
}

// maxExchangeWait is the most an exchange waits, in all, before trying
// token requests again. It runs inside Magento's post of the activation,
// which times out after 5 s by default (oauth/consumer/post_timeout); a
// later try would be pointless: Magento has shown the merchant an error.
const maxExchangeWait = 3 * time.Second

// tokenRequest makes one signed token request (send signs it afresh, with
// a new nonce, each time), again while retryWait allows, at most
// maxAttempts times.
func (c *Client) tokenRequest(ctx context.Context, answers *tokenAnswers, send func() (string, string, error)) (token, secret string, err error) {
	for attempt := 1; ; attempt++ {
		answers.refusal = nil
		token, secret, err = send()
		wait, again := answers.retryWait(err, attempt)
		if !again || attempt == maxAttempts || answers.waited+wait > maxExchangeWait {
			return token, secret, err
		}
		if err := c.Sleep(ctx, wait); err != nil {
			return "", "", err
		}
		answers.waited += wait
	}
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
	// refusal is the last request's, if the store refused it.
	refusal *tokenRefusal
	// waited is how long the exchange has waited between tries.
	waited time.Duration
}

// retryWait says whether a failed token request may be sent again, and
// after how long: only when the store cannot have processed it. That is
// when no connection was made (but not when the guard refused the
// address, which it would refuse again), after retryDelay's pause; or
// when the store's front answered 429 or 503 with a Retry-After, after
// the wait it names. Magento itself sends neither: its error report
// answers 503 without Retry-After, and may follow a processed request.
func (t *tokenAnswers) retryWait(err error, attempt int) (time.Duration, bool) {
	switch {
	case err == nil:
		return 0, false
	case t.refusal != nil:
		return t.refusal.retryAfter, t.refusal.deferred
	case neverSent(err):
		return retryDelay(nil, attempt), true
	}
	return 0, false
}

// neverSent reports whether err is a failure to connect, so that the
// request never left, other than the guard's refusal.
func neverSent(err error) bool {
	if _, refused := errors.AsType[*netguard.RefusedError](err); refused {
		return false
	}
	opErr, ok := errors.AsType[*net.OpError](err)
	return ok && opErr.Op == "dial"
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
		t.refusal.retryAfter, t.refusal.deferred = deferredBy(resp)
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

// deferredBy reads a 429 or 503 answer's Retry-After: the store's front
// asking to be asked again later, having not processed the request.
func deferredBy(resp *http.Response) (wait time.Duration, ok bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	return netguard.RetryAfter(resp.Header, time.Now())
}

// tokenRefusal is Magento refusing a token request. deferred says the
// answer asked to be asked again after retryAfter (see deferredBy).
type tokenRefusal struct {
	status     int
	problem    string
	step       string
	deferred   bool
	retryAfter time.Duration
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
