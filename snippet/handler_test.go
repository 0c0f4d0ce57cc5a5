package snippet

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stockbell/stockbell/server/web"
)

func get(t testing.TB, h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerServesEachCodingWithItsHeaders(t *testing.T) {
	b := mustBuild(t)
	h := b.Handler()
	cases := []struct {
		accept, coding string
		body           []byte
	}{
		{"gzip, deflate, br, zstd", "br", b.Compressed("br")},
		{"gzip, br;q=0", "gzip", b.Compressed("gzip")},
		{"", "", b.JS},
		{"identity", "", b.JS},
		{"*", "br", b.Compressed("br")},
		{"*, br;q=0", "gzip", b.Compressed("gzip")},
	}
	for _, c := range cases {
		w := get(t, h, "GET", "/snippet.js", "Accept-Encoding", c.accept)
		res := w.Result()
		if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != c.coding || !bytes.Equal(w.Body.Bytes(), c.body) {
			t.Errorf("Accept-Encoding %q: status %d coding %q, %d bytes", c.accept, res.StatusCode, res.Header.Get("Content-Encoding"), w.Body.Len())
		}
		want := map[string]string{
			"Cache-Control":          web.StableCacheControl,
			"Vary":                   "Accept-Encoding",
			"ETag":                   b.etag(c.coding),
			"Content-Type":           "text/javascript; charset=utf-8",
			"X-Content-Type-Options": "nosniff",
		}
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("Accept-Encoding %q: %s = %q, want %q", c.accept, k, got, v)
			}
		}
	}
}

func TestHashedPathIsImmutable(t *testing.T) {
	b := mustBuild(t)
	w := get(t, b.Handler(), "GET", b.Path(), "Accept-Encoding", "gzip")
	if w.Code != 200 || w.Header().Get("Cache-Control") != web.HashedCacheControl {
		t.Fatalf("status %d, Cache-Control %q", w.Code, w.Header().Get("Cache-Control"))
	}
	if w.Header().Get("ETag") != `"`+b.Hash+`-gzip"` {
		t.Errorf("ETag %q", w.Header().Get("ETag"))
	}
}

func TestStaleHashGetsTheCurrentBundleUnderTheShortCache(t *testing.T) {
	b := mustBuild(t)
	w := get(t, b.Handler(), "GET", "/snippet/0000000000000000.js")
	if w.Code != 200 || w.Header().Get("Cache-Control") != web.StableCacheControl || !bytes.Equal(w.Body.Bytes(), b.JS) {
		t.Fatalf("status %d, Cache-Control %q", w.Code, w.Header().Get("Cache-Control"))
	}
}

func TestIfNoneMatchAnswersNotModified(t *testing.T) {
	b := mustBuild(t)
	h := b.Handler()
	for _, tag := range []string{b.etag(""), b.etag("br"), "W/" + b.etag("gzip"), `"other", ` + b.etag("gzip"), "*"} {
		w := get(t, h, "GET", b.Path(), "Accept-Encoding", "br", "If-None-Match", tag)
		if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: status %d, %d bytes", tag, w.Code, w.Body.Len())
		}
		if w.Header().Get("ETag") != b.etag("br") || w.Header().Get("Cache-Control") != web.HashedCacheControl {
			t.Errorf("If-None-Match %s: 304 lacks ETag or Cache-Control", tag)
		}
	}
	if w := get(t, h, "GET", "/snippet.js", "If-None-Match", `"deadbeefdeadbeef"`); w.Code != 200 {
		t.Errorf("a stale ETag got %d", w.Code)
	}
}

func TestHeadMethodsAndUnknownPaths(t *testing.T) {
	b := mustBuild(t)
	h := b.Handler()
	w := get(t, h, "HEAD", "/snippet.js", "Accept-Encoding", "gzip")
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != strconv.Itoa(len(b.Compressed("gzip"))) {
		t.Errorf("HEAD: status %d, %d bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
	if w := get(t, h, "POST", "/snippet.js"); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d", w.Code)
	}
	for _, path := range []string{"/snippet/abc.js", "/snippet/", "/snippet.css", "/snippet/" + b.Hash + ".js.map"} {
		if w := get(t, h, "GET", path); w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, w.Code)
		}
	}
}

func BenchmarkServeBrotli(b *testing.B) {
	bundle := mustBuild(b)
	h := bundle.Handler()
	r := httptest.NewRequest("GET", bundle.Path(), nil)
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}

// BenchmarkBaselineGzipPerRequest is the baseline for BenchmarkServeBrotli:
// a bare handler that gzips the bundle on every request, as a generic
// compression middleware would.
func BenchmarkBaselineGzipPerRequest(b *testing.B) {
	bundle := mustBuild(b)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(bundle.JS)
		_ = zw.Close()
	})
	r := httptest.NewRequest("GET", "/snippet.js", nil)
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}
