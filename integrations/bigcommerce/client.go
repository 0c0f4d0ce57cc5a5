package bigcommerce

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/netguard"
)

// Rate-limit headers BigCommerce sends on every API answer.
const (
	headerRequestsLeft = "X-Rate-Limit-Requests-Left"
	headerResetMs      = "X-Rate-Limit-Time-Reset-Ms"
)

// authTokenHeader carries the store's access token on every call.
const authTokenHeader = "X-Auth-Token"

// MaxAttempts is how often one API call is tried (a 429 or a 5xx answer,
// or a network failure, is tried again).
const MaxAttempts = 6

// Client calls a store's REST API (https://api.bigcommerce.com/stores/{hash}/…)
// with its access token in X-Auth-Token. It honours the rate limit: a 429
// is retried after X-Rate-Limit-Time-Reset-Ms, and when an answer says no
// requests are left in the window, the store's next call waits for the
// reset.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Clock   stockbell.Clock
	// Sleep waits d or until ctx ends; tests play time with it.
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger

	mu       sync.Mutex
	notUntil map[string]time.Time // per store: no call before
}

// NewClient returns a client of the API at baseURL with a 30 s timeout.
func NewClient(baseURL string, clock stockbell.Clock, logger *slog.Logger) *Client {
	return &Client{BaseURL: baseURL, Clock: clock, Sleep: stockbell.Sleep, Logger: logger, notUntil: map[string]time.Time{},
		HTTP: &http.Client{Timeout: 30 * time.Second, CheckRedirect: netguard.KeepCredentials("BigCommerce API", authTokenHeader)}}
}

// APIError is an answer BigCommerce refused a call with.
type APIError struct {
	Status int
	Title  string
	// Details are the fields a 422 names (its errors object), each with
	// BigCommerce's message: "destination: …"; "" when it names none.
	Details string
}

func (e *APIError) Error() string {
	if e.Details != "" {
		return fmt.Sprintf("bigcommerce API answered %d: %s (%s)", e.Status, e.Title, e.Details)
	}
	return fmt.Sprintf("bigcommerce API answered %d: %s", e.Status, e.Title)
}

// call is one API request: path under /stores/{hash}, query and JSON body.
// answeredAt, when set, receives BigCommerce's clock when it answered (its
// Date header): the platform's time of what a read found.
type call struct {
	store, token, method, path string
	query                      url.Values
	body                       any
	answeredAt                 *time.Time
	// tries bounds the attempts (MaxAttempts when 0).
	tries int
}

// do runs the call and decodes the JSON answer into out. A 404 is
// ENOTFOUND, a 401 EUNAUTHORIZED (the token was revoked: the app was
// uninstalled) and a 403 EFORBIDDEN (the token is accepted but lacks a
// scope, or the plan a feature); each wraps the APIError.
func (c *Client) do(ctx context.Context, k call, out any) error {
	var payload []byte
	if k.body != nil {
		var err error
		if payload, err = json.Marshal(k.body); err != nil {
			return err
		}
	}
	for attempt := 1; ; attempt++ {
		if err := c.waitTurn(ctx, k.store); err != nil {
			return err
		}
		raw, status, err := c.send(ctx, k, payload)
		retry := err != nil || status == http.StatusTooManyRequests || status >= 500
		if !retry {
			return decodeAnswer(k, status, raw, out)
		}
		if attempt >= cmp.Or(k.tries, MaxAttempts) {
			if err != nil {
				return fmt.Errorf("bigcommerce %s %s: %w", k.method, k.path, err)
			}
			return decodeAnswer(k, status, raw, out)
		}
		if status != http.StatusTooManyRequests {
			if err := c.Sleep(ctx, time.Duration(attempt)*500*time.Millisecond); err != nil {
				return err
			}
		}
	}
}

// send makes one request and records the store's rate-limit state.
func (c *Client) send(ctx context.Context, k call, payload []byte) ([]byte, int, error) {
	u := c.BaseURL + "/stores/" + url.PathEscape(k.store) + k.path
	if len(k.query) > 0 {
		u += "?" + k.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, u, body)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set(authTokenHeader, k.token)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	c.noteLimit(k.store, resp)
	if at, dateErr := http.ParseTime(resp.Header.Get("Date")); dateErr == nil && k.answeredAt != nil {
		*k.answeredAt = at.UTC()
	}
	return raw, resp.StatusCode, err
}

// noteLimit makes the store's next call wait for the window to reset when
// none are left (always after a 429).
func (c *Client) noteLimit(store string, resp *http.Response) {
	left, errLeft := strconv.Atoi(resp.Header.Get(headerRequestsLeft))
	reset, errReset := strconv.Atoi(resp.Header.Get(headerResetMs))
	if resp.StatusCode != http.StatusTooManyRequests && (errLeft != nil || left > 0) {
		return
	}
	wait := time.Second
	if errReset == nil && reset >= 0 {
		wait = time.Duration(reset) * time.Millisecond
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	until := c.Clock.Now().Add(min(wait, time.Minute))
	if until.After(c.notUntil[store]) {
		c.notUntil[store] = until
	}
	c.Logger.Debug("bigcommerce rate limit reached", "store", store, "wait", wait, "status", resp.StatusCode)
}

// waitTurn sleeps until the store's window has reset.
func (c *Client) waitTurn(ctx context.Context, store string) error {
	c.mu.Lock()
	until := c.notUntil[store]
	c.mu.Unlock()
	if wait := until.Sub(c.Clock.Now()); wait > 0 {
		return c.Sleep(ctx, wait)
	}
	return nil
}

// errorBody is BigCommerce's error answer (v3: status and title; v2: a
// list of {status, message}).
type errorBody struct {
	Status  int    `json:"status"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// errorDetails lists the fields of a v3 error answer's errors object,
// sorted, each with its message ("field: message", joined with "; ").
func errorDetails(raw []byte) string {
	var body struct {
		Errors map[string]json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(raw, &body) != nil || len(body.Errors) == 0 {
		return ""
	}
	fields := slices.Sorted(maps.Keys(body.Errors))
	details := make([]string, len(fields))
	for i, field := range fields {
		var message string
		if json.Unmarshal(body.Errors[field], &message) != nil {
			message = string(body.Errors[field]) // not a string: as BigCommerce wrote it
		}
		details[i] = field + ": " + strings.TrimSpace(message)
	}
	return fmt.Sprintf("%.300s", strings.Join(details, "; "))
}

// errorTitle is the title of an error answer, its v2 message, or the
// start of its raw text.
func errorTitle(raw []byte) string {
	var v3 errorBody
	if json.Unmarshal(raw, &v3) == nil && v3.Title != "" {
		return v3.Title
	}
	var v2 []errorBody
	if json.Unmarshal(raw, &v2) == nil && len(v2) > 0 && v2[0].Message != "" {
		return v2[0].Message
	}
	return fmt.Sprintf("%.200s", bytes.TrimSpace(raw))
}

func decodeAnswer(k call, status int, raw []byte, out any) error {
	if status >= 200 && status < 300 {
		if out == nil || status == http.StatusNoContent || len(bytes.TrimSpace(raw)) == 0 {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("bigcommerce answer: %w", err)
		}
		return nil
	}
	apiErr := &APIError{Status: status, Title: errorTitle(raw), Details: errorDetails(raw)}
	switch status {
	case http.StatusNotFound:
		return fmt.Errorf("%w: %w", stockbell.Errorf(stockbell.ENOTFOUND, "not found on BigCommerce"), apiErr)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: %w", stockbell.Errorf(stockbell.EUNAUTHORIZED, "BigCommerce refused the store's access token"), apiErr)
	case http.StatusForbidden:
		return fmt.Errorf("%w: %w", forbidden(k, apiErr), apiErr)
	}
	return apiErr
}

// forbidden is the EFORBIDDEN error of a 403. BigCommerce answers 403 to a
// token it accepts that may not make this request: the token lacks the
// request's OAuth scope (the app's scopes changed and the merchant has not
// granted them), or the store's plan or limits do not allow it. Unlike a
// 401, the app is still installed.
func forbidden(k call, apiErr *APIError) error {
	return stockbell.Errorf(stockbell.EFORBIDDEN, "BigCommerce refused %s %s (403: %s): the app's access token lacks the %s scope, "+
		"or the store's plan does not allow the request. Re-authorize the app from the control panel's Apps › My Apps so that "+
		"it is granted the scope (or check the store's plan); Stockbell stays installed meanwhile.",
		k.method, k.path, apiErr.Title, requiredScope(k.path))
}

// requiredScope names, as the control panel does, the OAuth scope the
// app's requests under path need.
func requiredScope(path string) string {
	for _, s := range []struct{ prefix, scope string }{
		{"/v3/catalog/", "Products read-only"},
		{"/v3/inventory/", "Store Inventory read-only"},
		{"/v2/store", "Information & Settings read-only"},
		{"/v2/orders", "Orders read-only"},
		{"/v3/hooks", "Products and Orders read-only (the scopes of the events its webhooks subscribe to)"},
	} {
		if strings.HasPrefix(path, s.prefix) {
			return s.scope
		}
	}
	return "needed"
}

// pagination is the meta.pagination of a v3 list.
type pagination struct {
	Total       int `json:"total"`
	CurrentPage int `json:"current_page"`
	TotalPages  int `json:"total_pages"`
}

// listPage is one page of a v3 list.
type listPage[T any] struct {
	Data []T `json:"data"`
	Meta struct {
		Pagination pagination `json:"pagination"`
	} `json:"meta"`
}

// pageSize is how many rows one list page asks for (the maximum, v2 and v3).
const pageSize = 250

// eachPage pages through a v3 list, calling fn with each page's rows.
func eachPage[T any](ctx context.Context, c *Client, k call, fn func([]T) error) error {
	if k.query == nil {
		k.query = url.Values{}
	}
	k.query.Set("limit", strconv.Itoa(pageSize))
	for page := 1; ; page++ {
		k.query.Set("page", strconv.Itoa(page))
		var p listPage[T]
		if err := c.do(ctx, k, &p); err != nil {
			return err
		}
		if err := fn(p.Data); err != nil {
			return err
		}
		if page >= p.Meta.Pagination.TotalPages || len(p.Data) == 0 {
			return nil
		}
	}
}

// eachV2Page pages through a v2 list, calling fn with each page's rows.
// A v2 list is a bare JSON array paged with page and limit (at most 250);
// past the last row BigCommerce answers 204 with no body. The list ends
// with a short page, so a full last page costs one more (empty) call.
func eachV2Page[T any](ctx context.Context, c *Client, k call, fn func([]T) error) error {
	if k.query == nil {
		k.query = url.Values{}
	}
	k.query.Set("limit", strconv.Itoa(pageSize))
	for page := 1; ; page++ {
		k.query.Set("page", strconv.Itoa(page))
		var rows []T
		if err := c.do(ctx, k, &rows); err != nil {
			return err
		}
		if len(rows) > 0 {
			if err := fn(rows); err != nil {
				return err
			}
		}
		if len(rows) < pageSize {
			return nil
		}
	}
}
