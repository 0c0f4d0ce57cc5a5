// Package oauth runs the platforms' install flows: it verifies what the
// platform signs (redirect HMACs, session tokens), binds the OAuth state to
// the merchant's browser with a signed cookie, exchanges authorization codes
// for access tokens, seals the tokens at rest (AES-GCM) and records the shop
// through stockbell.ShopService. It never imports another adapter; the server
// wires it to the store and the job queue.
package oauth

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// upstreamError is a failure to reach a platform (network, 5xx): the
// merchant sees 502 Bad Gateway rather than a refusal.
type upstreamError struct{ err error }

func (e *upstreamError) Error() string { return e.err.Error() }
func (e *upstreamError) Unwrap() error { return e.err }

// statusOf maps an install failure to its HTTP status.
func statusOf(err error) int {
	var up *upstreamError
	if errors.As(err, &up) {
		return http.StatusBadGateway
	}
	switch stockbell.ErrorCode(err) {
	case stockbell.EINVALID:
		return http.StatusBadRequest
	case stockbell.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case stockbell.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// publicMessage is what the merchant may read about err.
func publicMessage(err error) string {
	var up *upstreamError
	if errors.As(err, &up) {
		return "Shopify could not be reached or answered with an error. Please try again in a minute."
	}
	return stockbell.ErrorMessage(err)
}

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Stockbell could not be installed</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
<h1>Stockbell could not be installed</h1>
<p>{{.}}</p>
<p>Nothing was saved. Open Stockbell again from your Shopify admin to retry.</p>
</body></html>`))

// renderFailure logs why an install step failed and answers with a page.
func renderFailure(w http.ResponseWriter, r *http.Request, logger *slog.Logger, step string, shop string, err error) {
	status := statusOf(err)
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
	}
	logger.Log(r.Context(), level, "install refused", "platform", "shopify", "step", step, "shop", shop, "status", status, "err", err)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	errorPage.Execute(w, publicMessage(err))
}
