package web

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// pagePolicy is what an HTML page may load and who may frame it: the
// Content-Security-Policy the security middleware writes for it.
type pagePolicy struct {
	// Scripts are script-src's sources; empty allows no script at all.
	Scripts string
	// Styles are style-src's sources.
	Styles string
	// FrameAncestors are who may frame the page; empty means nobody.
	FrameAncestors string
	// Sandbox, when set, serves the page sandboxed with these allowances
	// (rendered email shown in a frame of the admin: no script, no form).
	Sandbox string
}

// defaultPagePolicy serves the public pages (unsubscribe, short link
// notices, install failures): no script, their own inline styles, never
// framed.
var defaultPagePolicy = pagePolicy{Styles: "'self' 'unsafe-inline'"}

// contentSecurityPolicy spells the policy out.
func (p pagePolicy) contentSecurityPolicy() string {
	scripts, frame := "'none'", "'none'"
	if p.Scripts != "" {
		scripts = p.Scripts
	}
	if p.FrameAncestors != "" {
		frame = p.FrameAncestors
	}
	policy := "default-src 'self'; script-src " + scripts + "; style-src " + p.Styles + "; img-src 'self' data: https:; " +
		"frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors " + frame
	if p.Sandbox != "" {
		policy = "sandbox " + p.Sandbox + "; " + policy
	}
	return policy
}

// HSTSHeader is what Strict-Transport-Security says in production: a year,
// this host only (the operator's other subdomains are not ours to pin).
const HSTSHeader = "max-age=31536000"

// EnableHSTS makes every answer carry Strict-Transport-Security (set it in
// production, where the public URL is https).
func (s *Server) EnableHSTS() { s.hsts = true }

// secureHeaders is the one place every answer gets its security headers:
// X-Content-Type-Options: nosniff and a Referrer-Policy (a handler's own
// wins) on all, Strict-Transport-Security in production, and on HTML pages
// a Content-Security-Policy — no script, nothing framing it — unless the
// page declares another policy with setPagePolicy (the admin: its own
// scripts, and inside the Shopify admin, framing by that shop's admin).
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&secureWriter{ResponseWriter: w, policy: defaultPagePolicy, hsts: s.hsts}, r)
	})
}

// secureWriter adds the headers as the answer's header is written.
type secureWriter struct {
	http.ResponseWriter
	policy      pagePolicy
	hsts, wrote bool
}

func (w *secureWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		w.addHeaders()
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *secureWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *secureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *secureWriter) addHeaders() {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if h.Get("Referrer-Policy") == "" {
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	}
	if w.hsts {
		h.Set("Strict-Transport-Security", HSTSHeader)
	}
	if strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		h.Set("Content-Security-Policy", w.policy.contentSecurityPolicy())
		if w.policy.FrameAncestors == "" {
			h.Set("X-Frame-Options", "DENY")
		}
	}
}

// Route is one route of the server: its path template and the methods it
// answers (none: every method).
type Route struct {
	Template string
	Methods  []string
}

// Routes returns every route of the server, for tests that visit each one.
func (s *Server) Routes() []Route {
	var out []Route
	s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if tpl, err := route.GetPathTemplate(); err == nil {
			methods, _ := route.GetMethods()
			out = append(out, Route{Template: tpl, Methods: methods})
		}
		return nil
	})
	return out
}

// RouteTemplates returns the path template of every route, for tests that
// visit each one.
func (s *Server) RouteTemplates() []string {
	var out []string
	for _, r := range s.Routes() {
		out = append(out, r.Template)
	}
	return out
}

// setPagePolicy declares the policy of the HTML page being answered on w.
func setPagePolicy(w http.ResponseWriter, p pagePolicy) {
	for {
		switch v := w.(type) {
		case *secureWriter:
			v.policy = p
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return
		}
	}
}
