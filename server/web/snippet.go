package web

import (
	"net/http"
	"strconv"
	"strings"
)

// Cache lifetimes of the snippet's files. /snippet.js is the first-load
// script itself under a short cache, revalidated by ETag: one request per
// page view instead of a loader plus the script, and a release reaches
// every storefront within five minutes. A content-hashed path never
// changes, so browsers and CDNs keep it a year.
const (
	StableCacheControl = "public, max-age=300"
	HashedCacheControl = "public, max-age=31536000, immutable"
)

// AssetBundle is a set of content-hashed script files kept precompressed
// (the storefront snippet's). The bundle decides which URL path names which
// file; web serves any of them the same way.
type AssetBundle interface {
	// Resolve names the file served at a URL path by its content hash (""
	// for no file) and tells whether the path is the file's own
	// content-hashed one (cached a year) rather than a stable or outdated
	// one (cached briefly and revalidated by ETag).
	Resolve(urlPath string) (hash string, immutable bool)
	// Content returns the file with that content hash in a content coding
	// ("" for identity, "gzip", "br"), or nil when it is not kept in it.
	Content(hash, coding string) []byte
}

// RegisterSnippet serves GET and HEAD for every file of the storefront
// snippet's bundle, at /snippet.js and under /snippet/, with strong ETags
// per content coding, brotli or gzip as the client accepts, and the cache
// lifetime the bundle's path calls for. Unknown paths are 404.
func (s *Server) RegisterSnippet(bundle AssetBundle) {
	h := &assetHandler{bundle: bundle}
	s.router.HandleFunc("/snippet.js", h.serve)
	s.router.HandleFunc("/snippet/{file}", h.serve)
}

type assetHandler struct{ bundle AssetBundle }

func (h *assetHandler) serve(w http.ResponseWriter, r *http.Request) {
	hash, immutable := h.bundle.Resolve(r.URL.Path)
	if hash == "" {
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
	h.write(w, r, hash, cache)
}

func (h *assetHandler) write(w http.ResponseWriter, r *http.Request, hash, cache string) {
	coding := negotiate(r.Header.Get("Accept-Encoding"))
	body := h.bundle.Content(hash, coding)
	if body == nil {
		coding, body = "", h.bundle.Content(hash, "")
	}
	header := w.Header()
	header.Set("Cache-Control", cache)
	header.Set("Vary", "Accept-Encoding")
	header.Set("ETag", etag(hash, coding))
	header.Set("Access-Control-Allow-Origin", "*")
	header.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if etagMatches(r.Header.Get("If-None-Match"), hash) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	header.Set("Content-Type", "text/javascript; charset=utf-8")
	header.Set("X-Content-Type-Options", "nosniff")
	header.Set("Content-Length", strconv.Itoa(len(body)))
	if coding != "" {
		header.Set("Content-Encoding", coding)
	}
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// etag is strong and differs per content coding, as each coding is a
// different representation of the same file.
func etag(hash, coding string) string {
	if coding == "" {
		return `"` + hash + `"`
	}
	return `"` + hash + "-" + coding + `"`
}

// etagMatches reports whether If-None-Match names any representation of
// the file (weak comparison, so a proxy's W/ prefix still matches).
func etagMatches(header, hash string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag(hash, "") || tag == etag(hash, "gzip") || tag == etag(hash, "br") {
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
