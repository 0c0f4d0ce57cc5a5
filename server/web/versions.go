package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// A stored thing that merchants edit from several places (the flow, the
// restock settings) has a version: its change time, as the store answers
// and reads it back. The JSON API names it as an ETag (with If-Match and
// If-None-Match), an admin form as a hidden field, so that a save made
// from a version changed since never silently undoes that change.

// changeVersion names the version of a thing last changed at updated
// (zero: never stored, "0"): its change time in nanoseconds, in base 36.
// The API's ETag is it quoted (versionETag); an admin form carries it as
// a hidden field (flow_version, settings_version).
func changeVersion(updated time.Time) string {
	if updated.IsZero() {
		return "0"
	}
	return strconv.FormatInt(updated.UnixNano(), 36)
}

// seenVersion reads a form's version field: when the stored thing the form
// was made from was changed (zero: never, or a version that does not
// read). A form without the field is taken as made from the stored thing,
// last changed at saved.
func seenVersion(form url.Values, field string, saved time.Time) time.Time {
	if !form.Has(field) {
		return saved
	}
	nanos, err := strconv.ParseInt(form.Get(field), 36, 64)
	if err != nil || nanos == 0 {
		return time.Time{}
	}
	return time.Unix(0, nanos).UTC()
}

// versionETag is the strong entity tag of a thing last changed at
// updated: its changeVersion, quoted. It is opaque to clients: only its
// equality with a later one means anything.
func versionETag(updated time.Time) string {
	return `"` + changeVersion(updated) + `"`
}

// preconditionStatuses answer a PUT whose If-Match names a version that is
// no longer the stored one 412 Precondition Failed, as HTTP's conditional
// requests expect, rather than the default 409.
var preconditionStatuses = Statuses{stockbell.ECONFLICT: http.StatusPreconditionFailed}

// ifMatch reads the request's If-Match against the stored version of what
// (the flow, the settings), last changed at updated. conditional is false
// when the save is unconditional (no If-Match, or "*": the thing always
// exists, the default until one is stored); else the save must be made
// only if what is still the version changed at updated, and err is
// ECONFLICT if no tag listed is its ETag. Tags are compared strongly, so a
// weak one (W/"…") never matches.
func ifMatch(r *http.Request, what string, updated time.Time) (conditional bool, err error) {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return false, nil
	}
	current := versionETag(updated)
	for _, tag := range listedTags(values) {
		switch tag {
		case "*":
			return false, nil
		case current:
			return true, nil
		}
	}
	return true, stockbell.Errorf(stockbell.ECONFLICT,
		"If-Match names no current version of %s: its ETag is now %s (%s). Nothing was stored; read %s again and make the change on it.",
		what, current, storedVersion(updated), what)
}

// notModified sets the ETag of the version changed at updated on the
// answer to a GET and, when the request's If-None-Match names it, answers
// 304 Not Modified and reports true: the caller writes nothing more.
func notModified(w http.ResponseWriter, r *http.Request, updated time.Time) bool {
	etag := versionETag(updated)
	w.Header().Set("ETag", etag)
	if noneMatch(r, etag) {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	return false
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

// storedVersion says which version is stored, for an error message.
func storedVersion(updated time.Time) string {
	if updated.IsZero() {
		return "the default, never saved"
	}
	return "changed at " + updated.UTC().Format(time.RFC3339)
}
