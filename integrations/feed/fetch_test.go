package feed_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
)

var ctx = context.Background()

// devFetcher is the development fetcher, which reaches loopback hosts.
func devFetcher() *feed.Fetcher { return feed.NewFetcher(feed.FetchConfig{AllowPrivate: true}) }

func wantFetchError(t *testing.T, err error, reason string) {
	t.Helper()
	var fe *feed.FetchError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, reason) {
		t.Fatalf("err = %v, want a fetch error with %q", err, reason)
	}
}

// The production fetcher refuses loopback, private and link-local feed
// URLs when they are connected (the check) and when they are fetched.
func TestProductionFetcherRefusesPrivateAddresses(t *testing.T) {
	host := feedtest.NewServer()
	defer host.Close()
	host.Set("/feed.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(2, 1))})
	f := feed.NewFetcher(feed.FetchConfig{})
	for _, raw := range []string{host.URL("/feed.json"), "http://localhost/feed.json", "http://10.0.0.7/feed.json",
		"http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/feed.json", "http://[fe80::1]/feed.json",
		"http://[::ffff:127.0.0.1]/feed.json", "http://192.168.0.10/feed.json"} {
		_, err := f.CheckURL(ctx, raw)
		wantFetchError(t, err, "feeds must be on the public internet")
		_, err = f.Fetch(ctx, raw, nil, feed.Validators{})
		wantFetchError(t, err, "feeds must be on the public internet")
	}
	if host.Hits("/feed.json") != 0 {
		t.Fatal("the refused feed was requested")
	}
	for _, c := range []struct{ raw, reason string }{
		{"ftp://feeds.example.com/a.json", "must be http or https"},
		{"https://user:secret@feeds.example.com/a.json", "not in the URL"},
		{"https:///a.json", "has no host"},
	} {
		_, err := f.CheckURL(ctx, c.raw)
		wantFetchError(t, err, c.reason)
	}
}

// TestDNSRebindingIsRefusedAtDialTime: the host resolves to a public
// address when the URL is checked and to loopback when the fetch dials;
// the dialer's check at the socket refuses the connection.
func TestDNSRebindingIsRefusedAtDialTime(t *testing.T) {
	host := feedtest.NewServer()
	defer host.Close()
	host.Set("/feed.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(2, 1))})
	port := strings.TrimPrefix(host.URL(""), "http://127.0.0.1:")
	f := feed.NewFetcher(feed.FetchConfig{})
	var lookups atomic.Int32
	f.SetAddressRule(nil, func(ctx context.Context, name string) ([]netip.Addr, error) {
		if lookups.Add(1) == 1 {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	})
	raw := "http://rebinding.example:" + port + "/feed.json"
	_, err := f.Fetch(ctx, raw, nil, feed.Validators{})
	wantFetchError(t, err, "refused to connect to 127.0.0.1")
	if lookups.Load() < 2 || host.Hits("/feed.json") != 0 {
		t.Fatalf("%d lookups, %d requests reached the host", lookups.Load(), host.Hits("/feed.json"))
	}
}

// publicLoopback treats 127.0.0.1 as public and every other address as
// private, so that redirects between two loopback hosts exercise the rule.
func publicLoopback(f *feed.Fetcher) {
	f.SetAddressRule(func(a netip.Addr) bool { return a == netip.MustParseAddr("127.0.0.1") }, nil)
}

func TestRedirectsFollowTheSameRule(t *testing.T) {
	host := feedtest.NewServer()
	defer host.Close()
	f := feed.NewFetcher(feed.FetchConfig{})
	publicLoopback(f)
	body := feedtest.Document("json", feedtest.Items(1, 1))
	host.Set("/final.json", feedtest.Feed{Body: body})
	for i := 1; i <= 6; i++ {
		host.Set(fmt.Sprintf("/hop%d", i), feedtest.Feed{RedirectTo: host.URL(fmt.Sprintf("/hop%d", i+1))})
	}
	host.Set("/hop7", feedtest.Feed{RedirectTo: host.URL("/final.json")})
	// Five redirects are followed…
	doc, err := f.Fetch(ctx, host.URL("/hop3"), nil, feed.Validators{})
	if err != nil {
		t.Fatalf("5 redirects: %v", err)
	}
	got, _ := io.ReadAll(doc.Body)
	doc.Body.Close()
	if string(got) != string(body) {
		t.Fatal("the redirected document differs")
	}
	// …a sixth is not.
	_, err = f.Fetch(ctx, host.URL("/hop2"), nil, feed.Validators{})
	wantFetchError(t, err, "redirected more than 5 times")
	// A redirect to a private address is refused before it is followed.
	port := strings.TrimPrefix(host.URL(""), "http://127.0.0.1:")
	host.Set("/to-private", feedtest.Feed{RedirectTo: "http://127.0.0.2:" + port + "/final.json"})
	before := host.Hits("/final.json")
	_, err = f.Fetch(ctx, host.URL("/to-private"), nil, feed.Validators{})
	wantFetchError(t, err, "feeds must be on the public internet")
	host.Set("/to-metadata", feedtest.Feed{RedirectTo: "http://169.254.169.254/latest/meta-data/"})
	_, err = f.Fetch(ctx, host.URL("/to-metadata"), nil, feed.Validators{})
	wantFetchError(t, err, "feeds must be on the public internet")
	if host.Hits("/final.json") != before {
		t.Fatal("the private redirect target was requested")
	}
}

func TestFetchConditionalAndCredentials(t *testing.T) {
	host := feedtest.NewServer()
	defer host.Close()
	f := devFetcher()
	// Last-Modified an hour before the answer: a strong validator, sent back.
	host.Set("/basic.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(2, 1)), Username: "feeds", Password: "s3cret",
		ModifiedAt: time.Now().Add(-time.Hour).Truncate(time.Second)})
	host.Set("/header.xml", feedtest.Feed{Body: feedtest.Document("xml", feedtest.Items(2, 1)), ContentType: "text/xml; charset=utf-8",
		Header: "X-Api-Key", Value: "k-123"})

	_, err := f.Fetch(ctx, host.URL("/basic.json"), nil, feed.Validators{})
	wantFetchError(t, err, "401 Unauthorized")
	doc, err := f.Fetch(ctx, host.URL("/basic.json"), &feed.Credentials{Username: "feeds", Password: "s3cret"}, feed.Validators{})
	if err != nil || doc.Format != feed.JSON || doc.Validators.ETag == "" || doc.Validators.LastModified == "" {
		t.Fatalf("basic auth fetch = %+v, %v", doc, err)
	}
	doc.Body.Close()
	again, err := f.Fetch(ctx, host.URL("/basic.json"), &feed.Credentials{Username: "feeds", Password: "s3cret"}, doc.Validators)
	if err != nil || !again.NotModified || again.Body != nil {
		t.Fatalf("conditional fetch = %+v, %v", again, err)
	}
	if got := host.Header("/basic.json"); got.Get("If-None-Match") != doc.Validators.ETag || got.Get("If-Modified-Since") != doc.Validators.LastModified {
		t.Fatalf("conditional headers = %v", got)
	}
	// Last-Modified alone also answers 304.
	if d, err := f.Fetch(ctx, host.URL("/basic.json"), &feed.Credentials{Username: "feeds", Password: "s3cret"},
		feed.Validators{LastModified: doc.Validators.LastModified}); err != nil || !d.NotModified {
		t.Fatalf("If-Modified-Since fetch = %+v, %v", d, err)
	}
	xdoc, err := f.Fetch(ctx, host.URL("/header.xml"), &feed.Credentials{Header: "X-Api-Key", Value: "k-123"}, feed.Validators{})
	if err != nil || xdoc.Format != feed.XML {
		t.Fatalf("header fetch = %+v, %v", xdoc, err)
	}
	xdoc.Body.Close()
}

// A credential header is not sent on to another host after a redirect.
func TestCredentialHeaderStaysWithItsHost(t *testing.T) {
	a, b := feedtest.NewServer(), feedtest.NewServer()
	defer a.Close()
	defer b.Close()
	b.Set("/feed.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(1, 1))})
	a.Set("/feed.json", feedtest.Feed{RedirectTo: strings.Replace(b.URL("/feed.json"), "127.0.0.1", "localhost", 1)})
	doc, err := devFetcher().Fetch(ctx, a.URL("/feed.json"), &feed.Credentials{Header: "X-Api-Key", Value: "k-123"}, feed.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	doc.Body.Close()
	if a.Header("/feed.json").Get("X-Api-Key") != "k-123" || b.Header("/feed.json").Get("X-Api-Key") != "" {
		t.Fatalf("key sent to a: %q, to b: %q", a.Header("/feed.json").Get("X-Api-Key"), b.Header("/feed.json").Get("X-Api-Key"))
	}
}

// TestBasicAuthStaysWithItsHost: a feed's user name and password are not
// sent on to another host after a redirect, even where Go would send them:
// it keeps Authorization for a subdomain of the first host, and for the
// same name on another port. Both feed hosts are loopback servers; the
// names under feeds.example are played by the fetcher's resolver.
func TestBasicAuthStaysWithItsHost(t *testing.T) {
	a, b := feedtest.NewServer(), feedtest.NewServer()
	defer a.Close()
	defer b.Close()
	b.Set("/feed.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(1, 1))})
	f := devFetcher()
	f.SetAddressRule(nil, func(_ context.Context, name string) ([]netip.Addr, error) {
		if name == "feeds.example" || strings.HasSuffix(name, ".feeds.example") || name == "elsewhere.example" {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		return nil, fmt.Errorf("no such host %s", name)
	})
	portOf := func(s *feedtest.Server) string { return strings.TrimPrefix(s.URL(""), "http://127.0.0.1:") }
	for _, c := range []struct{ name, from, to string }{
		{"a subdomain", "http://feeds.example:" + portOf(a), "http://evil.feeds.example:" + portOf(b)},
		{"another port", "http://127.0.0.1:" + portOf(a), "http://127.0.0.1:" + portOf(b)},
		{"another domain", "http://feeds.example:" + portOf(a), "http://elsewhere.example:" + portOf(b)},
	} {
		a.Set("/feed.json", feedtest.Feed{RedirectTo: c.to + "/feed.json", Username: "feeds", Password: "s3cret"})
		doc, err := f.Fetch(ctx, c.from+"/feed.json", &feed.Credentials{Username: "feeds", Password: "s3cret"}, feed.Validators{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		doc.Body.Close()
		if a.Header("/feed.json").Get("Authorization") == "" || b.Header("/feed.json").Get("Authorization") != "" {
			t.Errorf("%s: basic auth sent to %s: %q", c.name, c.to, b.Header("/feed.json").Get("Authorization"))
		}
	}
}

func TestFetchRefusesBadAnswers(t *testing.T) {
	host := feedtest.NewServer()
	defer host.Close()
	f := feed.NewFetcher(feed.FetchConfig{AllowPrivate: true, MaxBytes: 1000})
	small := feedtest.Document("json", feedtest.Items(2, 1))
	host.Set("/500", feedtest.Feed{Status: http.StatusInternalServerError})
	host.Set("/html", feedtest.Feed{Body: []byte("<html></html>"), ContentType: "text/html"})
	host.Set("/octet", feedtest.Feed{Body: []byte("<html><body>Access denied</body></html>"), ContentType: "application/octet-stream"})
	host.Set("/words", feedtest.Feed{Body: []byte("hello"), ContentType: "text/plain"})
	host.Set("/big", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(40, 1))})
	for path, reason := range map[string]string{
		"/500": "answered 500", "/html": "content type is text/html", "/octet": "an HTML page (served as application/octet-stream)",
		"/words": "neither a JSON array nor XML", "/big": "over the size cap of 1000 bytes", "/missing": "answered 404",
	} {
		_, err := f.Fetch(ctx, host.URL(path), nil, feed.Validators{})
		wantFetchError(t, err, reason)
	}
	_, err := f.Fetch(ctx, "http://127.0.0.1:1/feed.json", nil, feed.Validators{})
	wantFetchError(t, err, "could not be reached")

	// Plain text is sniffed; a body without a declared length is cut at the cap while read.
	host.Set("/plain", feedtest.Feed{Body: small, ContentType: "text/plain; charset=utf-8"})
	doc, err := f.Fetch(ctx, host.URL("/plain"), nil, feed.Validators{})
	if err != nil || doc.Format != feed.JSON {
		t.Fatalf("plain text feed = %+v, %v", doc, err)
	}
	doc.Body.Close()
	big := feedtest.Document("json", feedtest.Items(40, 1))
	chunked := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.(http.Flusher).Flush() // no Content-Length: chunked
		w.Write(big)
	})
	doc, err = f.Fetch(ctx, chunked+"/feed.json", nil, feed.Validators{})
	if err == nil { // past the cap in its first bytes, read ahead to tell its format, it fails at once
		_, err = io.ReadAll(doc.Body)
	}
	wantFetchError(t, err, "over the size cap")
}

func httpServer(t *testing.T, h http.HandlerFunc) string {
	srv := &http.Server{Handler: h}
	ln := listen(t)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func listen(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// TestRefusedAccessSaysWhatWasSent: a feed answering 401 or 403 is
// refused with what Stockbell sent it, so that the sync log says what to
// fix: no credentials set, the ones sent refused (by kind, the user name
// or header named, never the secret), or none sent to the host a redirect
// led to, which never receives them.
func TestRefusedAccessSaysWhatWasSent(t *testing.T) {
	a, b := feedtest.NewServer(), feedtest.NewServer()
	defer a.Close()
	defer b.Close()
	doc := feedtest.Document("json", feedtest.Items(2, 1))
	a.Set("/basic.json", feedtest.Feed{Body: doc, Username: "feeds", Password: "s3cret"})
	a.Set("/header.json", feedtest.Feed{Body: doc, Header: "X-Api-Key", Value: "k-123"})
	a.Set("/forbidden.json", feedtest.Feed{Status: http.StatusForbidden})
	b.Set("/moved.json", feedtest.Feed{Body: doc, Username: "feeds", Password: "s3cret"})
	a.Set("/moved.json", feedtest.Feed{RedirectTo: b.URL("/moved.json"), Username: "feeds", Password: "s3cret"})
	f := devFetcher()
	for _, c := range []struct {
		name, path string
		creds      *feed.Credentials
		want       string
	}{
		{"none set", "/basic.json", nil,
			"the feed answered 401 Unauthorized: it asks for credentials, and none are set for this feed"},
		{"a wrong password", "/basic.json", &feed.Credentials{Username: "feeds", Password: "wrong"},
			`the feed answered 401 Unauthorized: it refused the user name "feeds" and the password set for this feed`},
		{"a wrong header", "/header.json", &feed.Credentials{Header: "X-Api-Key", Value: "nope"},
			"the feed answered 401 Unauthorized: it refused the X-Api-Key header set for this feed"},
		{"forbidden, none set", "/forbidden.json", nil,
			"the feed answered 403 Forbidden: it refuses access, and no credentials are set for this feed"},
		{"redirected to another host", "/moved.json", &feed.Credentials{Username: "feeds", Password: "s3cret"},
			"the feed answered 401 Unauthorized at " + b.URL("/moved.json") + ", where it redirected: credentials are not sent on to another host; set the feed's URL to that address"},
	} {
		_, err := f.Fetch(ctx, a.URL(c.path), c.creds, feed.Validators{})
		var fe *feed.FetchError
		if !errors.As(err, &fe) || fe.Reason != c.want {
			t.Errorf("%s: err = %v\nwant %q", c.name, err, c.want)
		}
		if strings.Contains(fmt.Sprint(err), "wrong") || strings.Contains(fmt.Sprint(err), "nope") || strings.Contains(fmt.Sprint(err), "s3cret") {
			t.Errorf("%s: the reason carries the secret: %v", c.name, err)
		}
	}
}
