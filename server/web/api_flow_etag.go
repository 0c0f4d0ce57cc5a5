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
	for _, tag := range listedTags(values) {
		switch tag {
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

// noneMatch reports whether the request's If-None-Match names etag, the
// current representation's: "*" (it exists), or a listed tag equal to it
// by weak comparison (W/ set aside on both), as RFC 9110 compares for a
// GET. A GET it names is answered 304 Not Modified.
func noneMatch(r *http.Request, etag string) bool {
	opaque := strings.TrimPrefix(etag, "W/")
	for _, tag := range listedTags(r.Header.Values("If-None-Match")) {
		if tag == "*" || strings.TrimPrefix(tag, "W/") == opaque {
			return true
		}
	}
	return false
}

// listedTags reads the entity tags a conditional header lists, over all
// its values, without the spaces around them. A tag with a comma inside
// is split, and so never equals one of ours (base 36 in quotes).
func listedTags(values []string) []string {
	var tags []string
	for _, value := range values {
		for tag := range strings.SplitSeq(value, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				tags = append(tags, tag)
			}
		}
	}
	return tags
}

// storedFlowVersion says which version of the flow is stored, for an error
// message.
func storedFlowVersion(updated time.Time) string {
	if updated.IsZero() {
		return "the default flow, never saved"
	}
	return "changed at " + updated.UTC().Format(time.RFC3339)
}
