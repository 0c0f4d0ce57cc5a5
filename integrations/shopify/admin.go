package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/netguard"
)

// APIVersion is the Admin API version every request is pinned to. Shopify
// supports a stable version for 12 months after its release (2026-10:
// until 1 October 2027), then answers its requests as the oldest version
// it still supports; shopify.app.toml and the theme extension pin the same
// version (TestAPIVersionIsPinnedEverywhere).
const APIVersion = "2026-10"

// AdminClient calls a shop's GraphQL Admin API. It respects Shopify's
// cost-based rate limit: each answer's extensions.cost.throttleStatus is
// remembered per shop, and before the next call the client waits until the
// bucket has restored enough points for a query as costly as the last one;
// a THROTTLED answer (or HTTP 429) is retried after the wait the bucket
// needs; a 5xx is retried with backoff.
type AdminClient struct {
	Config stockbell.ShopifyConfig
	HTTP   *http.Client
	Clock  stockbell.Clock
	// Sleep waits for d unless ctx ends; tests pass a clock that advances.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxRetries bounds retries of throttled or failed calls (default 6).
	MaxRetries int
	Logger     *slog.Logger

	mu      sync.Mutex
	buckets map[string]bucket
}

// bucket is a shop's last known throttle status.
type bucket struct {
	available, restoreRate, lastCost float64
	at                               time.Time
}

// NewAdminClient returns a client with a 30 s timeout that really sleeps.
func NewAdminClient(cfg stockbell.ShopifyConfig, clock stockbell.Clock, logger *slog.Logger) *AdminClient {
	return &AdminClient{Config: cfg, Clock: clock, Sleep: stockbell.Sleep, Logger: logger,
		HTTP: &http.Client{Timeout: 30 * time.Second, CheckRedirect: netguard.KeepCredentials("Shopify Admin API", accessTokenHeader)}}
}

// accessTokenHeader carries the shop's access token on every call.
const accessTokenHeader = "X-Shopify-Access-Token"

// graphqlResponse is the envelope of every Admin API answer.
type graphqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []graphqlError  `json:"errors"`
	Extensions struct {
		Cost *queryCost `json:"cost"`
	} `json:"extensions"`
}

type graphqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

type queryCost struct {
	RequestedQueryCost float64 `json:"requestedQueryCost"`
	ThrottleStatus     struct {
		MaximumAvailable   float64 `json:"maximumAvailable"`
		CurrentlyAvailable float64 `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	} `json:"throttleStatus"`
}

// Query runs a GraphQL query for shop with its access token and decodes
// data into out. It returns EUNAUTHORIZED when Shopify refuses the token,
// EFORBIDDEN when it refuses a field the token's scopes do not cover.
func (c *AdminClient) Query(ctx context.Context, shop, token, query string, vars map[string]any, out any) error {
	endpoint, err := c.Config.AdminBase(shop)
	if err != nil {
		return err
	}
	endpoint += "/admin/api/" + APIVersion + "/graphql.json"
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	for attempt := 0; ; attempt++ {
		if err := c.waitForBucket(ctx, shop); err != nil {
			return err
		}
		resp, retryAfter, err := c.post(ctx, endpoint, token, body)
		if err == nil && resp != nil {
			c.remember(shop, resp.Extensions.Cost)
			if throttled(resp) {
				retryAfter, err = c.throttleWait(resp.Extensions.Cost), errThrottled
			} else {
				return decodeData(resp, out, c.Config.ScopesVariable())
			}
		}
		if retryAfter < 0 || attempt >= c.maxRetries() {
			return err
		}
		c.Logger.DebugContext(ctx, "shopify admin api retry", "shop", shop, "attempt", attempt+1, "wait", retryAfter, "err", err)
		if err := c.Sleep(ctx, retryAfter); err != nil {
			return err
		}
	}
}

var errThrottled = fmt.Errorf("shopify admin api: throttled")

// answerError is an Admin API answer that failed a query: an HTTP status
// other than 200 (a 5xx once its retries ran out), or a 200 carrying
// GraphQL errors (Answer: their messages) other than a throttle or a
// refused scope.
type answerError struct {
	Status int
	// Answer is what Shopify answered: the errors' messages, or the
	// start of the body ("" for a 5xx).
	Answer string
}

func (e *answerError) Error() string {
	switch {
	case e.Status == http.StatusOK:
		return "shopify admin api: " + e.Answer
	case e.Answer == "":
		return fmt.Sprintf("shopify admin api answered %d", e.Status)
	}
	return fmt.Sprintf("shopify admin api answered %d: %s", e.Status, e.Answer)
}

func (c *AdminClient) maxRetries() int {
	if c.MaxRetries > 0 {
		return c.MaxRetries
	}
	return 6
}

// post sends one request. retryAfter < 0 means the failure is final.
func (c *AdminClient) post(ctx context.Context, endpoint, token string, body []byte) (*graphqlResponse, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, -1, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(accessTokenHeader, token)
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, time.Second, fmt.Errorf("shopify admin api: %w", err)
	}
	defer res.Body.Close()
	if reason := res.Header.Get("X-Shopify-API-Deprecated-Reason"); reason != "" {
		// Shopify names the deprecated fields a query asked for, which a
		// later API version may remove.
		c.Logger.WarnContext(ctx, "shopify admin api: the query asks for deprecated fields", "fields", reason, "api_version", APIVersion)
	}
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, time.Second, fmt.Errorf("shopify admin api: %w", err)
	}
	switch {
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		return nil, -1, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Shopify refused the shop's access token (%d).", res.StatusCode)
	case res.StatusCode == http.StatusTooManyRequests:
		return nil, c.retryAfter(res.Header), errThrottled
	case res.StatusCode >= 500:
		return nil, 2 * time.Second, &answerError{Status: res.StatusCode}
	case res.StatusCode != http.StatusOK:
		return nil, -1, &answerError{Status: res.StatusCode, Answer: fmt.Sprintf("%.300s", raw)}
	}
	var resp graphqlResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, -1, fmt.Errorf("shopify admin api: malformed answer: %w", err)
	}
	return &resp, 0, nil
}

// retryAfter is the wait a 429 asks for (seconds, fractions included, or
// a date; at most netguard.MaxRetryAfter), else a second.
func (c *AdminClient) retryAfter(h http.Header) time.Duration {
	if wait, ok := netguard.RetryAfter(h, c.Clock.Now()); ok && wait > 0 {
		return wait
	}
	return time.Second
}

func throttled(resp *graphqlResponse) bool {
	for _, e := range resp.Errors {
		if e.Extensions.Code == "THROTTLED" || e.Message == "Throttled" {
			return true
		}
	}
	return false
}

// decodeData decodes an answer's data into out; scopesVariable is the
// environment variable a refusal of a missing scope names.
func decodeData(resp *graphqlResponse, out any, scopesVariable string) error {
	if len(resp.Errors) > 0 {
		msgs := make([]string, len(resp.Errors))
		for i, e := range resp.Errors {
			if e.Extensions.Code == "ACCESS_DENIED" {
				return accessDenied(e.Message, scopesVariable)
			}
			msgs[i] = e.Message
		}
		return &answerError{Status: http.StatusOK, Answer: strings.Join(msgs, "; ")}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return fmt.Errorf("shopify admin api: decode data: %w", err)
	}
	return nil
}

// accessDenied is the EFORBIDDEN error of Shopify's ACCESS_DENIED answer
// (a 200 whose error names the field and the scope it needs): the token
// is accepted, so the app is installed, but the shop did not grant the
// scope. It names what to do, for the shop's sync log, and the variable
// the server reads its scopes from (scopesVariable).
func accessDenied(message, scopesVariable string) error {
	return stockbell.Errorf(stockbell.EFORBIDDEN, "Shopify refused a query of the Admin API (ACCESS_DENIED: %s): the shop did not grant "+
		"Stockbell this scope. %s Stockbell stays installed: the stock check reads the shop again every 15 minutes, "+
		"and the new grant syncs its catalog.", message, grantAdvice(scopesVariable))
}

// grantAdvice says how a scope the shop did not grant is asked for
// (scopesVariable: the variable the server reads its scopes from).
func grantAdvice(scopesVariable string) string {
	return "List it in shopify.app.toml's scopes and in " + scopesVariable + ", run shopify app deploy, and open the app " +
		"from the Shopify admin to approve it."
}

// remember stores the shop's throttle status from an answer.
func (c *AdminClient) remember(shop string, cost *queryCost) {
	if cost == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buckets == nil {
		c.buckets = map[string]bucket{}
	}
	c.buckets[shop] = bucket{
		available: cost.ThrottleStatus.CurrentlyAvailable, restoreRate: cost.ThrottleStatus.RestoreRate,
		lastCost: cost.RequestedQueryCost, at: c.Clock.Now(),
	}
}

// waitForBucket waits until the shop's bucket, restored since it was last
// seen, holds the cost of the last query.
func (c *AdminClient) waitForBucket(ctx context.Context, shop string) error {
	c.mu.Lock()
	b, ok := c.buckets[shop]
	c.mu.Unlock()
	if !ok || b.restoreRate <= 0 {
		return nil
	}
	restored := b.available + b.restoreRate*c.Clock.Now().Sub(b.at).Seconds()
	if restored >= b.lastCost {
		return nil
	}
	return c.Sleep(ctx, secondsToDuration((b.lastCost-restored)/b.restoreRate))
}

// throttleWait is how long a throttled query must wait for its cost.
func (c *AdminClient) throttleWait(cost *queryCost) time.Duration {
	if cost == nil || cost.ThrottleStatus.RestoreRate <= 0 {
		return time.Second
	}
	missing := cost.RequestedQueryCost - cost.ThrottleStatus.CurrentlyAvailable
	return secondsToDuration(math.Max(missing, 1) / cost.ThrottleStatus.RestoreRate)
}

func secondsToDuration(s float64) time.Duration {
	return time.Duration(math.Ceil(s*1000)) * time.Millisecond
}
