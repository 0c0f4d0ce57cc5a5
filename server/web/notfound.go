package web

import (
	"net/http"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// notFound answers a path no route serves, always 404: the admin's own
// page for an admin path; a small page in the shopper's language for a
// browser following a link (one mangled on its way from an email); the
// JSON error for everything else, and always under /api/ and /webhooks/
// (platforms read the status only).
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.admin != nil && isAdminPage(r):
		s.admin.noSuchPage(w, r)
	case isBrowserFollowingALink(r):
		lang := requestLanguage(r)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		WriteHTML(w, http.StatusNotFound, deadLinkPageTemplate, deadLinkPage{Lang: lang, T: deadLinkTexts[lang].NotFound})
	default:
		s.Error(w, r, stockbell.Errorf(stockbell.ENOTFOUND, "No route for %s %s.", r.Method, r.URL.Path))
	}
}

// isBrowserFollowingALink reports whether the request is a browser's GET
// (or HEAD) asking for a page (Accept names text/html) of a path outside
// the API and the platforms' webhooks.
func isBrowserFollowingALink(r *http.Request) bool {
	for _, prefix := range []string{"/api", "/webhooks"} {
		if r.URL.Path == prefix || strings.HasPrefix(r.URL.Path, prefix+"/") {
			return false
		}
	}
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.Contains(r.Header.Get("Accept"), "text/html")
}
