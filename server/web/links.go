package web

import (
	"context"
	"html/template"
	"net/http"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
)

// ShortLinkService is what a message's short link does; server/delivery's
// ShortLinks implements it.
type ShortLinkService interface {
	// Preview returns where the link leads, as Follow does, without
	// counting a click; the same errors as Follow.
	Preview(ctx context.Context, code string) (string, error)
	// Follow counts a click and returns where the link leads; EUNAUTHORIZED
	// for a forged code, ENOTFOUND when the message or its page is gone.
	Follow(ctx context.Context, code string) (string, error)
}

// RegisterShortLinks serves GET /r/{code}, the short product link of SMS
// messages: it counts the click and redirects (302) to the product page
// with the tracking parameters. HEAD (a link preview) is not a click but
// answers as GET would: the same redirect, or 404 for a forged link or one
// whose message is gone.
func (s *Server) RegisterShortLinks(links ShortLinkService) {
	s.router.HandleFunc("/r/{code}", func(w http.ResponseWriter, r *http.Request) {
		code := mux.Vars(r)["code"]
		var target string
		var err error
		switch r.Method {
		case http.MethodHead:
			target, err = links.Preview(r.Context(), code)
		case http.MethodGet:
			target, err = links.Follow(r.Context(), code)
		default:
			w.Header().Set("Allow", "GET, HEAD")
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if err != nil {
			s.writeErrorPage(w, r, err, linkStatuses)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		http.Redirect(w, r, target, http.StatusFound)
	})
}

// messagePage is a page with one sentence: what a shopper following a
// link sees when it leads nowhere.
var messagePage = template.Must(template.New("message").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><link rel="icon" href="data:,"><title>{{.}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}</style>
</head><body><p>{{.}}</p></body></html>`))

// writeErrorPage answers err as a page of one sentence, with the status the
// route chose for it: the error's own message for a shopper's mistake or a
// link that expired, a generic one for a failure on the server's side.
func (s *Server) writeErrorPage(w http.ResponseWriter, r *http.Request, err error, route Statuses) {
	status := statusOf(err, route)
	s.logFailure(r, status, err)
	text := stockbell.ErrorMessage(err)
	if status >= 500 {
		text = "Something went wrong. Please try again later."
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteHTML(w, status, messagePage, text)
}
