package web

import (
	"encoding/json"
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// Statuses is a route's own choice of HTTP status for some error codes;
// the codes it does not name get the default status. Every route answers
// errors through statusOf, so a code means the same everywhere unless a
// route says otherwise here.
type Statuses map[string]int

// platformStatuses are the choices of the routes platforms call (webhooks
// and install redirects): a malformed request is 400 Bad Request, as their
// protocols expect, rather than the storefront API's 422.
var platformStatuses = Statuses{stockbell.EINVALID: http.StatusBadRequest}

// statusOf maps an error to its HTTP status: the route's choice for its
// code when it made one, else the default for the code.
func statusOf(err error, route Statuses) int {
	code := stockbell.ErrorCode(err)
	if status, ok := route[code]; ok {
		return status
	}
	switch code {
	case stockbell.EINVALID:
		return http.StatusUnprocessableEntity
	case stockbell.ENOTFOUND:
		return http.StatusNotFound
	case stockbell.ECONFLICT:
		return http.StatusConflict
	case stockbell.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case stockbell.EFORBIDDEN:
		return http.StatusForbidden
	case stockbell.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case stockbell.ERATELIMITED:
		return http.StatusTooManyRequests
	case stockbell.EUPSTREAM:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error answer:
// {"error":{"code","message","field"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes one error.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Error answers with the error's default status and JSON body. Internal
// errors are logged with the request and shown only as a generic message.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, err, nil)
}

// writeError answers err as JSON with the status the route chose for it,
// and returns that status. Server-side failures (5xx) are logged here;
// a route that wants its refusals logged logs them itself.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error, route Statuses) int {
	status := statusOf(err, route)
	s.logFailure(r, status, err)
	writeErrorJSON(w, status, err)
	return status
}

// writeErrorJSON writes the error body with the status.
func writeErrorJSON(w http.ResponseWriter, status int, err error) {
	WriteJSON(w, status, ErrorBody{Error: ErrorDetail{
		Code: stockbell.ErrorCode(err), Message: stockbell.ErrorMessage(err), Field: stockbell.ErrorField(err),
	}})
}

// logFailure logs a request that failed on the server's side.
func (s *Server) logFailure(r *http.Request, status int, err error) {
	if status >= 500 {
		s.Logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", routeOf(r), "status", status, "err", err)
	}
}

// WriteJSON writes v as JSON with the status. It is the one JSON writer of
// every route.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
