package feed

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/netguard"
)

// DefaultMaxBytes caps a feed document (STOCKBELL_FEED_MAX_BYTES).
const DefaultMaxBytes = 200 << 20

// MaxRedirects is how many redirects a fetch follows.
const MaxRedirects = 5

// FetchError says why a feed could not be fetched (unreachable, refused
// address, non-2xx answer, wrong content type, not a feed such as an HTML
// page, over the size cap). A sync that meets one changes nothing.
type FetchError struct {
	Reason string
}

func (e *FetchError) Error() string { return e.Reason }

// Credentials open a private feed (stored sealed).
type Credentials = stockbell.FeedCredentials

// Validators are a document's ETag and Last-Modified, sent back on the
// next fetch so that an unchanged feed answers 304.
type Validators struct {
	ETag         string
	LastModified string
}

// Document is a fetched feed: its format and body (cut at the size cap),
// or NotModified with no body. Validators are what the next fetch sends
// back (see validatorsOf); Modified is the document's own Last-Modified,
// zero without one.
type Document struct {
	NotModified bool
	Format      Format
	Body        io.ReadCloser
	Validators  Validators
	Modified    time.Time
}

// FetchConfig tunes a Fetcher.
type FetchConfig struct {
	// MaxBytes caps a document (DefaultMaxBytes when 0).
	MaxBytes int64
	// AllowPrivate lets feeds live on loopback and private addresses, for
	// development; production refuses them.
	AllowPrivate bool
	// Timeout bounds a whole fetch, body included (10 minutes when 0).
	Timeout time.Duration
}

// Fetcher fetches feed documents over HTTP under the address rule.
type Fetcher struct {
	maxBytes int64
	guard    *netguard.Guard
	client   *http.Client
}

// NewFetcher returns a fetcher with its own transport, the guard's (the
// guarded dialer and never a proxy, see netguard.Transport) with a minute
// at most to an answer's headers, and a redirect policy of at most
// MaxRedirects hops under the same rule.
func NewFetcher(cfg FetchConfig) *Fetcher {
	f := &Fetcher{maxBytes: cfg.MaxBytes, guard: newGuard(cfg.AllowPrivate)}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	transport := f.guard.Transport(&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second})
	transport.ResponseHeaderTimeout = time.Minute
	transport.MaxIdleConns = 20
	f.client = &http.Client{Transport: transport, Timeout: timeout, CheckRedirect: f.checkRedirect}
	return f
}

// CheckURL is the connect-time check of a feed URL: an absolute http(s)
// URL without user information whose host resolves only to public
// addresses (unless private ones are allowed).
func (f *Fetcher) CheckURL(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, &FetchError{Reason: fmt.Sprintf("the feed URL %q cannot be parsed", raw)}
	}
	if err := checkFeedURL(ctx, f.guard, u); err != nil {
		return nil, err
	}
	return u, nil
}

// credentialsKey carries a request's credentials through redirects.
type credentialsKey struct{}

func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return &FetchError{Reason: fmt.Sprintf("the feed redirected more than %d times", MaxRedirects)}
	}
	if err := checkFeedURL(req.Context(), f.guard, req.URL); err != nil {
		return err
	}
	creds, _ := req.Context().Value(credentialsKey{}).(*Credentials)
	if !hasCredentials(creds) {
		return nil
	}
	// Credentials go only to the host they were given for, over https if
	// they started there. Go alone would send basic auth on to a
	// subdomain, or to another port of the same name, and a credential
	// header anywhere.
	return asFetchError(netguard.KeepCredentials("feed", creds.Header)(req, via))
}

// Fetch gets the document at rawURL with the credentials, conditionally on
// the validators. It returns a *FetchError for every way the feed itself
// fails: unreachable, refused address, too many redirects, a non-2xx
// answer, a content type that is neither JSON, XML nor generic, a
// document that is not a feed (see formatOf), or a declared length over
// the cap. The body returns a *FetchError once it goes past the cap.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, creds *Credentials, since Validators) (*Document, error) {
	u, err := f.CheckURL(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	ctx = context.WithValue(ctx, credentialsKey{}, creds)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &FetchError{Reason: fmt.Sprintf("the feed URL %q is not usable: %v", rawURL, err)}
	}
	req.Header.Set("Accept", "application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1")
	req.Header.Set("User-Agent", "Stockbell feed sync")
	setCredentials(req, creds)
	if since.ETag != "" {
		req.Header.Set("If-None-Match", since.ETag)
	}
	if since.LastModified != "" {
		req.Header.Set("If-Modified-Since", since.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fetchFailure(err)
	}
	doc, err := f.document(resp, creds)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	return doc, nil
}

// hasCredentials reports whether creds give anything to send.
func hasCredentials(creds *Credentials) bool {
	return creds != nil && (creds.Username != "" || creds.Password != "" || creds.Header != "")
}

func setCredentials(req *http.Request, creds *Credentials) {
	switch {
	case !hasCredentials(creds):
	case creds.Username != "" || creds.Password != "":
		req.SetBasicAuth(creds.Username, creds.Password)
	case creds.Header != "":
		req.Header.Set(creds.Header, creds.Value)
	}
}

// fetchFailure explains a transport error.
func fetchFailure(err error) error {
	var fe *FetchError
	if errors.As(err, &fe) {
		return fe
	}
	if refused, ok := errors.AsType[*netguard.RefusedError](err); ok {
		return &FetchError{Reason: refused.Reason}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return &FetchError{Reason: fmt.Sprintf("the feed could not be reached: %v", err)}
}

// document checks the answer and wraps its body.
func (f *Fetcher) document(resp *http.Response, creds *Credentials) (*Document, error) {
	validators := validatorsOf(resp.Header)
	if resp.StatusCode == http.StatusNotModified {
		resp.Body.Close()
		return &Document{NotModified: true, Validators: validators}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &FetchError{Reason: fmt.Sprintf("the feed answered %s%s", resp.Status, refusedAccess(resp, creds))}
	}
	if resp.ContentLength > f.maxBytes {
		return nil, f.tooLarge()
	}
	body := &cappedBody{r: resp.Body, left: f.maxBytes, err: f.tooLarge(), closer: resp.Body}
	buffered := bufio.NewReaderSize(body, 64<<10)
	format, err := formatOf(resp.Header.Get("Content-Type"), buffered)
	if err != nil {
		return nil, err
	}
	modified, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	return &Document{Format: format, Body: readCloser{buffered, resp.Body}, Validators: validators, Modified: modified}, nil
}

// refusedAccess says, for a 401 or 403 answer, what the feed was sent:
// no credentials set, the ones sent (by kind and name, never the secret),
// or none, to the host a redirect led to. "" for any other answer.
func refusedAccess(resp *http.Response, creds *Credentials) string {
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		return ""
	}
	switch {
	case !hasCredentials(creds) && resp.StatusCode == http.StatusUnauthorized:
		return ": it asks for credentials, and none are set for this feed"
	case !hasCredentials(creds):
		return ": it refuses access, and no credentials are set for this feed"
	case !sentCredentials(resp.Request.Header, creds):
		return fmt.Sprintf(" at %s, where it redirected: credentials are not sent on to another host; set the feed's URL to that address",
			resp.Request.URL.Redacted())
	case creds.Header != "":
		return fmt.Sprintf(": it refused the %s header set for this feed", creds.Header)
	}
	return fmt.Sprintf(": it refused the user name %q and the password set for this feed", creds.Username)
}

// sentCredentials reports whether a request carried the credentials (a
// redirect to another host drops them: KeepCredentials).
func sentCredentials(h http.Header, creds *Credentials) bool {
	if creds.Header != "" {
		return h.Get(creds.Header) != ""
	}
	return h.Get("Authorization") != ""
}

// validatorsOf is what an answer lets the next fetch send back: its ETag,
// and its Last-Modified only when that is a strong validator, the
// answer's Date at least a second later (RFC 9110, section 8.8.2.2).
// Last-Modified counts whole seconds: a document served in the second it
// last changed may change again within that second and keep the same
// Last-Modified, so If-Modified-Since would be answered 304 and the change
// missed until the document changed again.
func validatorsOf(h http.Header) Validators {
	v := Validators{ETag: h.Get("ETag")}
	modified, errModified := http.ParseTime(h.Get("Last-Modified"))
	date, errDate := http.ParseTime(h.Get("Date"))
	if errModified == nil && errDate == nil && !date.Before(modified.Add(time.Second)) {
		v.LastModified = h.Get("Last-Modified")
	}
	return v
}

func (f *Fetcher) tooLarge() error {
	return &FetchError{Reason: fmt.Sprintf("the feed is over the size cap of %d bytes (STOCKBELL_FEED_MAX_BYTES)", f.maxBytes)}
}

// cappedBody fails with err once more than left bytes are read.
type cappedBody struct {
	r      io.Reader
	left   int64
	err    error
	closer io.Closer
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, c.err
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, c.err
	}
	return n, err
}

type readCloser struct {
	io.Reader
	io.Closer
}
