package web

import (
	"context"
	"net/http"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// ClicksPath is the storefront API route the snippet reports a message's
// click to, from the page the message's link led to (an email's link to
// the product page carries the click id sb_click, not a short link).
const ClicksPath = "/api/storefront/v1/clicks"

// maxClickBody is the largest click report accepted.
const maxClickBody = 1 << 10

// LandingClicks records the click that the page a message's link led to
// reports; server/delivery's ShortLinks implements it.
type LandingClicks interface {
	// Land counts a click on the link of the shop's message named by its
	// click id, unless one was counted on that message a short while ago,
	// and reports whether it counted one. EINVALID naming code for a code
	// that is no click id of this server; ENOTFOUND naming code when the
	// shop has no such message.
	Land(ctx context.Context, shopID int64, code string) (bool, error)
}

// clickRequest is the JSON the snippet sends (a text/plain body, by fetch
// with keepalive, so that it arrives when the shopper leaves at once): the
// shop's key and the click id from the page's address.
type clickRequest struct {
	Shop string `json:"shop"`
	Code string `json:"code"`
}

// clickAnswer says whether the report counted a click.
type clickAnswer struct {
	Click struct {
		Counted bool `json:"counted"`
	} `json:"click"`
}

// handleClick answers POST /api/storefront/v1/clicks: 201 when a click was
// counted, 200 when the message's click was counted a short while ago (a
// reload), else the error, readable by the page, with nothing stored. It
// is limited per client address as subscriptions are, in a bucket of its
// own, and checks the shop and the page's origin as they are checked.
func (h *storefrontHandler) handleClick(w http.ResponseWriter, r *http.Request) {
	if !h.allowClient(w, r, h.clickLimiter) {
		return
	}
	var req clickRequest
	body, err := readBody(w, r, maxClickBody)
	if err == nil {
		err = decodeJSONBody(body, &req, false)
	}
	if err != nil {
		h.refuse(w, r, err, "unreadable body")
		return
	}
	shop := h.shopOfPage(w, r, req.Shop)
	if shop == nil {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	code := strings.TrimSpace(req.Code)
	if code == "" {
		h.server.Error(w, r, stockbell.FieldErrorf("code", "The click id is missing: send the sb_click parameter of the page's address as code."))
		return
	}
	counted, err := h.Clicks.Land(r.Context(), shop.ID, code)
	if err != nil {
		h.server.Error(w, r, err)
		return
	}
	var answer clickAnswer
	answer.Click.Counted = counted
	status := http.StatusOK
	if counted {
		status = http.StatusCreated
	}
	WriteJSON(w, status, answer)
}

// allowClient takes one request from the client's bucket of limiter and
// reports whether it may proceed; else it answers 429. The limit comes
// first, so a flood costs no database work; the shop (and so its origins)
// is not known yet, and the 429 is readable by any origin, since it tells
// nothing but to wait.
func (h *storefrontHandler) allowClient(w http.ResponseWriter, r *http.Request, limiter *keyedLimiter) bool {
	if limiter.Allow(ClientKey(ClientIP(r, h.TrustedProxies)), h.Clock.Now()) {
		return true
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		w.Header().Add("Vary", "Origin")
		w.Header().Set("Access-Control-Allow-Origin", origin)
	}
	h.rateLimited(w, r)
	return false
}
