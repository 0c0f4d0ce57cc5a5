package web

import (
	"net/http"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// flowPreconditionStatuses answer a PUT /flow whose If-Match names a
// version that is no longer the stored one 412 Precondition Failed, as
// HTTP's conditional requests expect, rather than the default 409.
var flowPreconditionStatuses = Statuses{stockbell.ECONFLICT: http.StatusPreconditionFailed}

// flowETag is the strong entity tag of the flow last changed at updated:
// its flowVersion, quoted. It is opaque to clients: only its equality with
// a later one means anything.
func flowETag(updated time.Time) string {
	return `"` + flowVersion(updated) + `"`
}

// flowCondition reads the request's If-Match against the stored flow.
// conditional is false when the save is unconditional (no If-Match, or
// "*": a flow always exists, the default until one is stored); else the
// save must go through UpdateFlowIfUnchanged with saved's change time, and
// err is ECONFLICT if no tag listed is the stored flow's. Tags are
// compared strongly, so a weak one (W/"…") never matches.
func flowCondition(r *http.Request, saved *stockbell.Flow) (conditional bool, err error) {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return false, nil
	}
	current := flowETag(saved.UpdatedAt)
	for _, tag := range strings.Split(strings.Join(values, ","), ",") {
		switch strings.TrimSpace(tag) {
		case "*":
			return false, nil
		case current:
			return true, nil
		}
	}
	return true, stockbell.Errorf(stockbell.ECONFLICT,
		"If-Match names no current version of the flow: its ETag is now %s (%s). Nothing was stored; read the flow again and make the change on it.",
		current, storedFlowVersion(saved.UpdatedAt))
}

// storedFlowVersion says which version of the flow is stored, for an error
// message.
func storedFlowVersion(updated time.Time) string {
	if updated.IsZero() {
		return "the default flow, never saved"
	}
	return "changed at " + updated.UTC().Format(time.RFC3339)
}
