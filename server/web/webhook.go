package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// MaxWebhookBytes bounds a webhook body. The platforms' largest payloads
// (a product with many variants and images) stay well under it.
const MaxWebhookBytes = 1 << 20

// WebhookPath is where a platform posts its webhooks: /webhooks/{platform}.
func WebhookPath(platform stockbell.Platform) string { return "/webhooks/" + string(platform) }

// WebhookVerifier is a platform's webhook protocol: it checks the signature
// of a raw webhook before parsing anything, then returns the receipt to
// store. It returns EUNAUTHORIZED for a bad or missing signature (401) and
// EINVALID naming the header or field for a malformed webhook (400).
//
// The rule every verifier follows: what is not signed is not trusted.
// Where a platform signs the body and not the headers that name the topic
// or the shop, the verifier parses the body for the topic the headers
// claim and refuses (EINVALID) a body that does not fit it — a body that
// could be another topic's must not be read as this one's — and sets the
// receipt's PayloadDomain to the shop the body names, which must be the
// headers' shop (checked here, once for every platform).
type WebhookVerifier interface {
	VerifyWebhook(ctx context.Context, header http.Header, body []byte) (*stockbell.WebhookReceipt, error)
}

// webhookHandler serves one platform's webhook route.
type webhookHandler struct {
	server   *Server
	platform stockbell.Platform
	verifier WebhookVerifier
	receipts stockbell.ReceiptService
}

// webhookAnswer is the JSON answer to an accepted webhook.
type webhookAnswer struct {
	Received  bool `json:"received"`
	Duplicate bool `json:"duplicate"`
}

// RegisterWebhook serves POST /webhooks/{platform}: it reads the raw body
// (at most MaxWebhookBytes, else 413), has the platform's verifier check
// and read it (401 for a bad signature, 400 for a malformed webhook),
// stores the receipt (the receipts' drainer processes it later), and answers 200 — also for a
// retry of an event already stored. A shop erased between the verifier's
// look-up and the receipt's insert is answered 401, as the verifier answers
// a shop no longer connected. Nothing is stored for a refused webhook.
func (s *Server) RegisterWebhook(platform stockbell.Platform, verifier WebhookVerifier, receipts stockbell.ReceiptService) {
	h := &webhookHandler{server: s, platform: platform, verifier: verifier, receipts: receipts}
	s.router.HandleFunc(WebhookPath(platform), h.serve).Methods(http.MethodPost)
	s.webhookPlatforms = append(s.webhookPlatforms, platform)
}

// WebhookPlatforms lists the platforms whose webhook route is served, in
// the order they were registered.
func (s *Server) WebhookPlatforms() []stockbell.Platform { return slices.Clone(s.webhookPlatforms) }

func (h *webhookHandler) serve(w http.ResponseWriter, r *http.Request) {
	receipt, err := h.verify(w, r)
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	created, err := h.receipts.RecordReceipt(r.Context(), receipt)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		// The shop the verifier found was erased before the receipt was
		// stored: refused as the verifier refuses a shop no longer connected.
		err = stockbell.Errorf(stockbell.EUNAUTHORIZED, "The webhook's shop is no longer connected to Stockbell.")
	}
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	outcome := stockbell.WebhookStored
	if !created {
		outcome = stockbell.WebhookDuplicate
	}
	h.count(outcome)
	WriteJSON(w, http.StatusOK, webhookAnswer{Received: true, Duplicate: !created})
}

// count reports the webhook's outcome, when the server counts them.
func (h *webhookHandler) count(outcome string) {
	if h.server.WebhookMetrics != nil {
		h.server.WebhookMetrics.WebhookReceived(h.platform, outcome)
	}
}

func (h *webhookHandler) verify(w http.ResponseWriter, r *http.Request) (*stockbell.WebhookReceipt, error) {
	body, err := readBody(w, r, MaxWebhookBytes)
	if err != nil {
		return nil, err
	}
	receipt, err := h.verifier.VerifyWebhook(r.Context(), r.Header, body)
	if err != nil {
		return nil, err
	}
	if receipt.Platform != h.platform {
		return nil, stockbell.Errorf(stockbell.EINTERNAL, "the %s verifier returned a %s receipt", h.platform, receipt.Platform)
	}
	if receipt.PayloadDomain != "" && !sameDomain(receipt.PayloadDomain, receipt.Domain) {
		return nil, stockbell.FieldErrorf("body", "The payload is about the shop %q, not %q.", receipt.PayloadDomain, receipt.Domain)
	}
	return receipt, nil
}

// sameDomain compares shop domains as platforms spell them (case aside).
func sameDomain(a, b string) bool {
	bare := func(d string) string {
		return stockbell.DomainWithoutDefaultPort(strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), ".")))
	}
	return bare(a) == bare(b)
}

func (h *webhookHandler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	h.count(stockbell.ErrorCode(err))
	status := h.server.writeError(w, r, err, platformStatuses)
	if status < 500 {
		h.server.Logger.WarnContext(r.Context(), "webhook refused", "platform", h.platform, "status", status, "err", err)
	}
}

// readBody reads at most limit bytes of the request body: ETOOLARGE beyond
// it, EINVALID naming "body" when it cannot be read.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, stockbell.Errorf(stockbell.ETOOLARGE, "The request body is over %d bytes.", limit)
	} else if err != nil {
		return nil, stockbell.FieldErrorf("body", "The request body could not be read.")
	}
	return body, nil
}
