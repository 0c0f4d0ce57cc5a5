package snippet

import (
	"net/http"
	"strconv"
	"strings"
)

// Cache lifetimes. /snippet.js is the first-load script itself under a
// short cache, revalidated by ETag: one request per page view instead of a
// loader plus the script, and a release reaches every storefront within
// five minutes. A content-hashed path never changes, so browsers and CDNs
// keep it a year.
const (
	StableCacheControl = "public, max-age=300"
	HashedCacheControl = "public, max-age=31536000, immutable"
)

// Handler serves GET and HEAD for every file of the bundle: /snippet.js,
// /snippet/{hash}.js and the lazy /snippet/{name}.{hash}.js. A well-formed
// path with another hash (a page cached across a release) gets the current
// file of that name under the short cache, so storefronts keep working;
// anything else is 404 (see Lookup). Mount it at "/snippet.js" and under
// "/snippet/".
func (b *Bundle) Handler() http.Handler {
	return http.HandlerFunc(b.serve)
}

func (b *Bundle) serve(w http.ResponseWriter, r *http.Request) {
	f, immutable := b.Lookup(r.URL.Path)
	if f == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	cache := StableCacheControl
	if immutable {
		cache = HashedCacheControl
	}
	f.write(w, r, cache)
}

func (f *File) write(w http.ResponseWriter, r *http.Request, cache string) {
	coding := negotiate(r.Header.Get("Accept-Encoding"))
	body := f.JS
	if coding != "" {
		body = f.encodings[coding]
	}
	h := w.Header()
	h.Set("Cache-Control", cache)
	h.Set("Vary", "Accept-Encoding")
	h.Set("ETag", f.etag(coding))
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if f.matches(r.Header.Get("If-None-Match")) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if coding != "" {
		h.Set("Content-Encoding", coding)
	}
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// etag is strong and differs per content coding, as each coding is a
// different representation of the same file.
func (f *File) etag(coding string) string {
	if coding == "" {
		return `"` + f.Hash + `"`
	}
	return `"` + f.Hash + "-" + coding + `"`
}

// matches reports whether If-None-Match names any representation of this
// file (weak comparison, so a proxy's W/ prefix still matches).
func (f *File) matches(header string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == f.etag("") || tag == f.etag("gzip") || tag == f.etag("br") {
			return true
		}
	}
	return false
}

// negotiate picks "br", then "gzip", then identity ("") from Accept-Encoding,
// honouring q=0 as "not acceptable".
func negotiate(header string) string {
	accepted := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		accepted[name] = q > 0
	}
	for _, coding := range []string{"br", "gzip"} {
		if ok, listed := accepted[coding]; ok || (!listed && accepted["*"]) {
			return coding
		}
	}
	return ""
}
