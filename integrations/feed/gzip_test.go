package feed_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
)

// gzipHost serves body gzip-compressed (Content-Encoding: gzip) to a
// client that accepts it, as most feed hosts and CDNs do for large JSON,
// counting the compressed answers.
func gzipHost(t *testing.T, body []byte, compressedAnswers *atomic.Int32) *httptest.Server {
	var compressed bytes.Buffer
	z := gzip.NewWriter(&compressed)
	z.Write(body)
	z.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Accept-Encoding") != "gzip" {
			w.Write(body)
			return
		}
		compressedAnswers.Add(1)
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(compressed.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A feed sent gzip-encoded is asked for compressed (a 100 MB feed is a few
// MB on the wire) and read as the document it encodes; the size cap
// counts the document's bytes, not the compressed ones, so a small body
// that expands past the cap is refused as too large.
func TestGzipEncodedFeed(t *testing.T) {
	doc := feedtest.Document("json", feedtest.Items(200, 1))
	var compressed atomic.Int32
	srv := gzipHost(t, doc, &compressed)
	got, err := devFetcher().Fetch(ctx, srv.URL+"/feed.json", nil, feed.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(got.Body)
	got.Body.Close()
	if err != nil || got.Format != feed.JSON || !bytes.Equal(body, doc) {
		t.Fatalf("gzip-encoded feed = %s, %d bytes, %v; want the %d-byte document", got.Format, len(body), err, len(doc))
	}
	if compressed.Load() != 1 {
		t.Fatal("the fetch did not ask for the feed gzip-encoded (Accept-Encoding: gzip)")
	}

	capped := feed.NewFetcher(feed.FetchConfig{AllowPrivate: true, MaxBytes: int64(len(doc)) / 2})
	got, err = capped.Fetch(ctx, srv.URL+"/feed.json", nil, feed.Validators{})
	if err == nil {
		_, err = io.ReadAll(got.Body)
		got.Body.Close()
	}
	wantFetchError(t, err, "over the size cap")
}
