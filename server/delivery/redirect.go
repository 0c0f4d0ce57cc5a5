package delivery

import (
	"log/slog"
	"net/http"
	"path"

	stockbell "github.com/stockbell/stockbell"
)

// RedirectHandler serves GET /r/{code}, the short product link of SMS
// messages: it verifies the signed code, counts the click and redirects
// (302) to the variant's page with the tracking parameters. The code is
// the message id signed with a 48-bit MAC, so nothing is written when a
// message is sent and a retried send carries the same link.
type RedirectHandler struct {
	Signer *Signer
	Clicks stockbell.ClickService
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (h *RedirectHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	code := path.Base(r.URL.Path)
	messageID, err := h.Signer.ParseLinkCode(code)
	if err != nil {
		http.Error(w, "This link is not valid.", http.StatusNotFound)
		return
	}
	if r.Method == http.MethodHead {
		// Link previews (HEAD) are not clicks; they learn only that the link exists.
		w.WriteHeader(http.StatusOK)
		return
	}
	target, err := h.Clicks.RecordClick(r.Context(), messageID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		http.Error(w, "This link has expired.", http.StatusNotFound)
		return
	} else if err != nil {
		h.logger().ErrorContext(r.Context(), "record click", "message", messageID, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	page := productPage(target.VariantURL, target.ProductURL, target.PrimaryDomain, target.ShopDomain)
	if page == "" {
		http.Error(w, "This link has expired.", http.StatusNotFound)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, TrackedURL(page, target.Channel, code), http.StatusFound)
}

func (h *RedirectHandler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.Default()
	}
	return h.Logger
}
