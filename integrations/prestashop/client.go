package prestashop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/netguard"
)

// MaxAttempts is how often one webservice call is tried: a network
// failure, a 429 or a 5xx answer is tried again.
const MaxAttempts = 4

// pageSize is how many rows one list request asks for (limit=count).
const pageSize = 100

// Credentials open a shop's webservice: its base URL (where /api/ lives)
// and its webservice key. Stockbell keeps them sealed for the shop.
type Credentials struct {
	URL string `json:"url"`
	Key string `json:"key"`
}

// Client calls shops' webservices (GET /api/{resource}?output_format=JSON)
// with the key as the basic-auth user name and an empty password. Outside
// development it connects only to public addresses
// (stockbell.PublicAddress), checked on the socket itself, and follows
// redirects only on the shop's host (movedError).
type Client struct {
	HTTP *http.Client
	// Development allows loopback and private addresses and plain http
	// shop URLs (development and tests).
	Development bool
	// Sleep waits d or until ctx ends; tests play time with it.
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger
}

// NewClient returns a client with a 30 s timeout per call; allowPrivate
// lets it reach loopback and private addresses (development and tests).
func NewClient(allowPrivate bool, logger *slog.Logger) *Client {
	transport := netguard.Transport("PrestaShop shop", allowPrivate)
	return &Client{HTTP: &http.Client{Timeout: 30 * time.Second, Transport: transport, CheckRedirect: netguard.StayOnHost("PrestaShop shop")},
		Development: allowPrivate, Sleep: stockbell.Sleep, Logger: logger}
}

// APIError is an answer the webservice refused a call with: its status and
// the first of PrestaShop's {"errors":[{"code","message"}]}.
type APIError struct {
	Status  int
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("prestashop webservice answered %d: %s (code %d)", e.Status, e.Message, e.Code)
}

// session is one shop's webservice, for the reads of one job.
type session struct {
	client *Client
	creds  Credentials
	// pricesRefused: a request carrying price parameters was refused, so
	// the session's next requests go without them.
	pricesRefused bool
	// pricesBeforeTax: a variant read has no price the webservice
	// computed (priceQuery), and its price is before tax.
	pricesBeforeTax bool
}

// get asks for one resource list as request does. A request carrying
// price parameters (priceQuery) that the shop refuses as one the key may
// not make (a firewall refusing its brackets, a webservice refusing the
// parameter) is asked again without them, and so are the session's next
// ones: the prices read are then before tax (pricesBeforeTax). The
// listing matters more than its prices; a refusal of the listing itself
// is met again without them and returned.
func (s *session) get(ctx context.Context, resource string, query url.Values) ([]byte, time.Time, error) {
	if !hasPrices(query) {
		return s.request(ctx, resource, query)
	}
	if !s.pricesRefused {
		raw, at, err := s.request(ctx, resource, query)
		if !isForbidden(err) {
			return raw, at, err
		}
		s.pricesRefused, s.pricesBeforeTax = true, true
		s.client.Logger.WarnContext(ctx, "prestashop webservice refused the price parameters: read again without them", "shop", s.creds.URL, "err", err)
	}
	return s.request(ctx, resource, withoutPrices(query))
}

// request asks for one resource list and returns the raw answer and the
// shop's clock when it answered (its Date header; zero without one). A 404
// is ENOTFOUND (noWebservice), a refused key EUNAUTHORIZED and a key that may not make
// the request EFORBIDDEN (see answerError), each wrapping the APIError.
func (s *session) request(ctx context.Context, resource string, query url.Values) ([]byte, time.Time, error) {
	q := url.Values{"output_format": {"JSON"}}
	for k, v := range query {
		q[k] = v
	}
	u := s.creds.URL + "/api/" + resource + "?" + q.Encode()
	for attempt := 1; ; attempt++ {
		raw, resp, err := s.send(ctx, u)
		if err == nil && !transient(resp.StatusCode, raw) {
			at, _ := http.ParseTime(resp.Header.Get("Date"))
			return raw, at.UTC(), answerError(s.creds.URL, resource, resp, raw)
		}
		// A refused redirect would be refused again.
		if _, refused := errors.AsType[*netguard.RefusedError](err); refused || attempt == MaxAttempts {
			if moved := asMoved(s.creds.URL, err); moved != nil {
				return nil, time.Time{}, moved
			} else if err != nil {
				return nil, time.Time{}, fmt.Errorf("prestashop GET %s of %s: %w", resource, s.creds.URL, err)
			}
			return nil, time.Time{}, answerError(s.creds.URL, resource, resp, raw)
		}
		if err := s.client.Sleep(ctx, retryDelay(resp, attempt)); err != nil {
			return nil, time.Time{}, err
		}
	}
}

func (s *session) send(ctx context.Context, u string) ([]byte, *http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.SetBasicAuth(s.creds.Key, "")
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.HTTP.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return raw, resp, err
}

// retryDelay is the wait before the next attempt: the answer's Retry-After
// (seconds or a date, at most netguard.MaxRetryAfter), else a growing pause.
func retryDelay(resp *http.Response, attempt int) time.Duration {
	if resp != nil {
		if wait, ok := netguard.RetryAfter(resp.Header, time.Now()); ok {
			return wait
		}
	}
	return time.Duration(attempt) * time.Second
}

// transient reports whether an answer may differ when asked again: a 429
// or a 5xx, unless it is the webservice saying it is switched off (which
// it says until the merchant switches it on).
func transient(status int, raw []byte) bool {
	if status < 500 && status != http.StatusTooManyRequests {
		return false
	}
	return !webserviceDisabled(apiErrorOf(status, raw))
}

// apiErrorOf reads an answer's status and the first of PrestaShop's
// {"errors":[{"code","message"}]} (the first 200 bytes of the body
// without them).
func apiErrorOf(status int, raw []byte) *APIError {
	var body struct {
		Errors []struct {
			Code    number `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	apiErr := &APIError{Status: status, Message: fmt.Sprintf("%.200s", bytes.TrimSpace(raw))}
	if json.Unmarshal(raw, &body) == nil && len(body.Errors) > 0 {
		apiErr.Code, apiErr.Message = int(body.Errors[0].Code), body.Errors[0].Message
	}
	return apiErr
}

// answerError is nil for a 2xx answer, else the error of the answer to a
// GET of resource from the shop at base.
func answerError(base, resource string, resp *http.Response, raw []byte) error {
	status := resp.StatusCode
	if status >= 200 && status < 300 {
		return nil
	}
	apiErr := apiErrorOf(status, raw)
	switch {
	case status == http.StatusNotFound:
		return fmt.Errorf("%w: %w", noWebservice(base), apiErr)
	case webServerPassword(apiErr):
		return fmt.Errorf("%w: %w", webServerRefusal(base, resp.Header.Get("WWW-Authenticate")), apiErr)
	case webserviceDisabled(apiErr):
		return fmt.Errorf("%w: %w", disabled(apiErr), apiErr)
	case keyLacksPermission(apiErr):
		return fmt.Errorf("%w: %w", forbidden(resource, apiErr), apiErr)
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %w", stockbell.Errorf(stockbell.EUNAUTHORIZED, "the PrestaShop webservice refused the key"), apiErr)
	}
	return apiErr
}

// list asks for one page of a resource and decodes its rows. PrestaShop
// answers {"<resource>":[…]}, or [] when nothing matches.
func list[T any](ctx context.Context, s *session, resource string, query url.Values) ([]T, time.Time, error) {
	raw, at, err := s.get(ctx, resource, query)
	if err != nil {
		return nil, at, err
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return nil, at, nil
	}
	var body map[string][]T
	if err := json.Unmarshal(trimmed, &body); err != nil {
		return nil, at, fmt.Errorf("prestashop %s answer: %w", resource, err)
	}
	rows, ok := body[resource]
	if !ok {
		return nil, at, fmt.Errorf("prestashop %s answer has no %q list", resource, resource)
	}
	return rows, at, nil
}

// identified is a webservice row with an id.
type identified interface{ rowID() int64 }

func (p apiProduct) rowID() int64     { return int64(p.ID) }
func (c apiCombination) rowID() int64 { return int64(c.ID) }
func (r apiStock) rowID() int64       { return int64(r.ID) }

// eachPage pages through a resource by id, pageSize rows at a time: each
// request asks for the rows with an id above the last one read
// (filter[id]=>[last], sort=[id_ASC], limit=pageSize), so a row deleted
// while the pages are read shifts no page and none is skipped, and one
// created meanwhile is listed when its id is above the page being read.
// query adds filters, never one on id. fn receives each page with the
// shop's clock when it answered. A page whose ids do not rise above the
// last one read (a webservice ignoring the filter or the sort, whose next
// page could skip rows) is an error before fn sees it.
func eachPage[T identified](ctx context.Context, s *session, resource string, query url.Values, fn func([]T, time.Time) error) error {
	q := url.Values{"display": {"full"}, "sort": {"[id_ASC]"}, "limit": {strconv.Itoa(pageSize)}}
	for k, v := range query {
		q[k] = v
	}
	for last := int64(0); ; {
		q.Set("filter[id]", ">["+strconv.FormatInt(last, 10)+"]")
		rows, at, err := list[T](ctx, s, resource, q)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.rowID() <= last {
				return fmt.Errorf("prestashop %s listing answered ids out of order (%d after %d) for filter[id]=%s and sort=[id_ASC]",
					resource, r.rowID(), last, q.Get("filter[id]"))
			}
			last = r.rowID()
		}
		if err := fn(rows, at); err != nil {
			return err
		}
		if len(rows) < pageSize {
			return nil
		}
	}
}

// idFilter is PrestaShop's filter on a set of ids: [1|2|3].
func idFilter(ids []int64) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// isRefused reports whether err is the webservice refusing the key itself
// (unknown, deleted or disabled).
func isRefused(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED
}

// noWebservice is the ENOTFOUND error of a shop whose /api/ answers 404:
// the webservice's rewrite rule (in the shop's .htaccess, written while
// URL rewriting is on) does not reach it. A list of a resource is never
// answered 404 by the webservice itself.
func noWebservice(base string) error {
	return stockbell.Errorf(stockbell.ENOTFOUND, "no PrestaShop webservice answers at %s/api/ (404): enable it in Advanced Parameters › Webservice "+
		"and URL rewriting in Shop Parameters › Traffic & SEO (Friendly URL), which writes the webservice's rule in the shop's .htaccess", base)
}

// isNoWebservice reports whether err is a shop whose /api/ answers 404.
func isNoWebservice(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound
}

// isWebServerPassword reports whether err is the web server in front of
// PrestaShop refusing with a password of its own.
func isWebServerPassword(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && webServerPassword(apiErr)
}

// isDisabled reports whether err is the webservice switched off in the
// back office.
func isDisabled(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && webserviceDisabled(apiErr)
}

// isForbidden reports whether err is the webservice refusing a request the
// key, which it accepts, may not make.
func isForbidden(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && stockbell.ErrorCode(err) == stockbell.EFORBIDDEN
}
