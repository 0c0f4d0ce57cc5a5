package magento

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dghubble/oauth1"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/netguard"
)

// Signature methods Magento accepts for OAuth 1.0a.
const (
	MethodHMACSHA256 = "HMAC-SHA256"
	MethodHMACSHA1   = "HMAC-SHA1"
)

// maxAnswerBytes bounds one REST answer (a page of products).
const maxAnswerBytes = 32 << 20

// maxAttempts is how often one REST call is tried: a 429 or 5xx answer, or
// a network failure, is tried again after a pause. A token request of the
// exchange is tried at most as often, in fewer cases (see tokenRequest).
const maxAttempts = 4

// Credentials are what an activation leaves Stockbell with: the store's
// base URL, the integration's consumer and access tokens, and the
// signature method the store accepted. They are sealed, as JSON, in the
// shop's token.
type Credentials struct {
	BaseURL        string `json:"base_url"`
	ConsumerKey    string `json:"consumer_key"`
	ConsumerSecret string `json:"consumer_secret"`
	Token          string `json:"token"`
	TokenSecret    string `json:"token_secret"`
	Method         string `json:"signature_method"`
}

// Client makes the OAuth 1.0a-signed calls to a store's REST API and its
// token endpoints. Signing is github.com/dghubble/oauth1's.
type Client struct {
	// HTTP carries every call; its transport decides which addresses may
	// be reached (see NewClient).
	HTTP *http.Client
	// Sleep waits d between attempts, or until ctx ends; tests play time
	// with it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client with a 30 s timeout per call. Unless
// allowPrivate (development), it refuses to connect to loopback, private,
// link-local and other non-public addresses, checked when each connection
// is dialled (netguard.Transport): the activation names the store's
// address, and anyone may post an activation.
func NewClient(allowPrivate bool) *Client {
	transport := netguard.Transport("Magento store", allowPrivate)
	return &Client{HTTP: &http.Client{Timeout: 30 * time.Second, Transport: transport}, Sleep: stockbell.Sleep}
}

// retryDelay is the wait after a failed attempt: what the answer's
// Retry-After asks for (seconds or an HTTP date, at most
// netguard.MaxRetryAfter), else attempt² × 0.5 s (0.5, 2 and 4.5 s).
// answer is nil when no answer came.
func retryDelay(answer http.Header, attempt int) time.Duration {
	if wait, ok := netguard.RetryAfter(answer, time.Now()); ok {
		return wait
	}
	return time.Duration(attempt*attempt) * 500 * time.Millisecond
}

// config is the oauth1 configuration of the credentials' consumer.
func (c *Client) config(cred Credentials) *oauth1.Config {
	cfg := oauth1.NewConfig(cred.ConsumerKey, cred.ConsumerSecret)
	cfg.HTTPClient = c.HTTP
	if cred.Method == MethodHMACSHA256 {
		cfg.Signer = &oauth1.HMAC256Signer{ConsumerSecret: cred.ConsumerSecret}
	}
	return cfg
}

// APIError is an answer Magento refused a REST call with: its status, the
// message of its {"message", "parameters"} body with the parameters
// substituted, and the ACL resources an authorization refusal names.
type APIError struct {
	Status    int
	Message   string
	Resources string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("magento REST API answered %d: %s", e.Status, e.Message)
}

// get reads one REST resource, path under {base}/rest/V1, into out. A 404
// is ENOTFOUND; a 401 from the OAuth check EUNAUTHORIZED (the integration
// was deleted or reauthorized); a 401 naming ACL resources, or a 403,
// EFORBIDDEN (see answerError); a 5xx or 429, tried maxAttempts times,
// EUPSTREAM.
func (c *Client) get(ctx context.Context, cred Credentials, path string, query url.Values, out any) error {
	target := strings.TrimRight(cred.BaseURL, "/") + "/rest/V1" + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	signed := c.signedClient(ctx, cred)
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		var retry bool
		var answer http.Header
		retry, answer, err = c.getOnce(ctx, signed, target, path, out)
		if !retry || attempt == maxAttempts {
			break
		}
		if perr := c.Sleep(ctx, retryDelay(answer, attempt)); perr != nil {
			return perr
		}
	}
	return err
}

// signedClient signs every request with the credentials' tokens. The
// OAuth library's client keeps only c.HTTP's transport: it gets c.HTTP's
// timeout again, and a redirect policy that keeps it on the store (the
// library would sign a request for whatever host a redirect names).
func (c *Client) signedClient(ctx context.Context, cred Credentials) *http.Client {
	signed := c.config(cred).Client(context.WithValue(ctx, oauth1.HTTPClient, c.HTTP), oauth1.NewToken(cred.Token, cred.TokenSecret))
	signed.Timeout = c.HTTP.Timeout
	signed.CheckRedirect = netguard.StayOnHost("Magento store")
	return signed
}

// getOnce makes one attempt; retry says whether another may succeed, and
// answer is the headers of the store's answer (nil when none came).
func (c *Client) getOnce(ctx context.Context, signed *http.Client, target, path string, out any) (retry bool, answer http.Header, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return false, nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := signed.Do(req)
	if err != nil {
		// A refused redirect would be refused again.
		_, refused := errors.AsType[*netguard.RefusedError](err)
		return !refused, nil, &unansweredError{domain: stockbell.Errorf(stockbell.EUPSTREAM, "The Magento store could not be reached: %v", err), cause: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return true, resp.Header, stockbell.Errorf(stockbell.EUPSTREAM, "The Magento store's answer could not be read: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return retryable(resp.StatusCode), resp.Header, answerError(path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return false, resp.Header, stockbell.Errorf(stockbell.EUPSTREAM, "The Magento store answered %s with something other than the expected JSON.", req.URL.Path)
	}
	return false, resp.Header, nil
}

// unansweredError is a request the store gave no answer to: the domain's
// error, with the transport's own kept for what it tells (a timeout, a
// refused connection).
type unansweredError struct {
	domain *stockbell.Error
	cause  error
}

func (e *unansweredError) Error() string   { return e.domain.Error() }
func (e *unansweredError) Unwrap() []error { return []error{e.domain, e.cause} }

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// answerError maps a refused call of path (under /rest/V1) to the domain's
// codes, keeping Magento's message. Magento answers 401 both when the OAuth
// check fails (the integration was deleted, or reauthorized: its token is
// gone) and when the integration may not use the route's ACL resources
// (its API resources were narrowed in System › Extensions › Integrations): the ACL
// refusal ("The consumer isn't authorized to access %resources.") names
// the resources in its parameters, which the OAuth refusals never carry.
// Only the first is a revocation (EUNAUTHORIZED); the second, and a 403
// ("not allowed for reasons not covered by 401", as from a firewall in
// front of the store), are EFORBIDDEN: the integration is still there.
func answerError(path string, status int, raw []byte) error {
	body := readErrorBody(raw)
	apiErr := &APIError{Status: status, Message: body.text(), Resources: body.resources()}
	switch {
	case status == http.StatusNotFound:
		return fmt.Errorf("%w: %w", stockbell.Errorf(stockbell.ENOTFOUND, "Magento has no such resource."), apiErr)
	case status == http.StatusUnauthorized && apiErr.Resources != "":
		return fmt.Errorf("%w: %w", aclRefusal(path, apiErr), apiErr)
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %w", stockbell.Errorf(stockbell.EUNAUTHORIZED, "Magento refused Stockbell's credentials (%d): %s", status, apiErr.Message), apiErr)
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", forbidden(path, apiErr), apiErr)
	}
	return fmt.Errorf("%w: %w", stockbell.Errorf(stockbell.EUPSTREAM, "Magento answered %d.", status), apiErr)
}

// aclRefusal is the EFORBIDDEN error of a request the integration lacks
// the ACL resources for, naming them as Magento's admin shows them
// (aclNames).
func aclRefusal(path string, apiErr *APIError) error {
	noun, names := aclNames(apiErr.Resources)
	return stockbell.Errorf(stockbell.EFORBIDDEN, "Magento refused GET /V1%s (401: %s): the Stockbell integration is not granted "+
		"the API %s %s. In Magento's admin, open System › Extensions › Integrations, edit Stockbell and, on its API tab, "+
		"grant that under Resource Access (or choose All); it applies at once, without activating again. Stockbell stays installed meanwhile.",
		path, apiErr.Message, noun, names)
}

// forbidden is the EFORBIDDEN error of a 403.
func forbidden(path string, apiErr *APIError) error {
	return stockbell.Errorf(stockbell.EFORBIDDEN, "Magento refused GET /V1%s (403: %s): the store, or a firewall in front of it, "+
		"does not let Stockbell make this request. Allow Stockbell's requests to the store's /rest/V1 API. "+
		"Stockbell stays installed meanwhile.", path, apiErr.Message)
}

// searchFilter is one filter of a searchCriteria query.
type searchFilter struct{ field, condition, value string }

// searchQuery is a searchCriteria query for the first page of size
// items passing every filter (each in its own filter group: ANDed).
func searchQuery(size int, filters ...searchFilter) url.Values {
	q := url.Values{
		"searchCriteria[currentPage]": {"1"},
		"searchCriteria[pageSize]":    {strconv.Itoa(size)},
	}
	for group, f := range filters {
		prefix := fmt.Sprintf("searchCriteria[filter_groups][%d][filters][0]", group)
		q.Set(prefix+"[field]", f.field)
		q.Set(prefix+"[value]", f.value)
		q.Set(prefix+"[condition_type]", f.condition)
	}
	return q
}

// keysetQuery asks for the size items whose numeric key field is above
// after, in ascending order of that field. Magento sorts descending
// unless told otherwise.
func keysetQuery(field string, after int64, size int) url.Values {
	q := searchQuery(size, searchFilter{field, "gt", strconv.FormatInt(after, 10)})
	q.Set("searchCriteria[sortOrders][0][field]", field)
	q.Set("searchCriteria[sortOrders][0][direction]", "ASC")
	return q
}
