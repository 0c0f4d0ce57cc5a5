package web

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"

	stockbell "github.com/stockbell/stockbell"
)

// syncFeed syncs the shop's catalog feed, as `stockbell feed sync` does:
// it waits for the sync and answers its report (a failed sync is a
// report with "failure" set; no rejections is []). With ?wait=false it
// queues the sync for the job workers and answers 202 at once. A shop
// without a feed is 404. It takes no body: one with a field is refused
// (feedSyncBody) rather than ignored.
func (a *API) syncFeed(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	if err := feedSyncBody(w, r); err != nil {
		a.server.Error(w, r, err)
		return
	}
	if a.Feeds == nil {
		a.server.Error(w, r, errNoFeed)
		return
	}
	wait, err := waitParameter(r.URL.Query().Get("wait"))
	if err != nil {
		a.server.Error(w, r, err)
		return
	}
	if !wait {
		if err := a.Feeds.QueueSync(r.Context(), key.ShopID); err != nil {
			a.server.Error(w, r, noFeed(err))
			return
		}
		WriteJSON(w, http.StatusAccepted, map[string]bool{"queued": true})
		return
	}
	report, err := a.Feeds.SyncFeed(r.Context(), key.ShopID)
	if err != nil {
		a.server.Error(w, r, noFeed(err))
		return
	}
	if report.Rejections == nil {
		report.Rejections = []stockbell.SyncRejection{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"sync": report})
}

// waitParameter reads ?wait: true (or absent) waits for the sync, false
// queues it; 1 and 0 too, in any case. Anything else is EINVALID rather
// than read as one or the other.
func waitParameter(v string) (bool, error) {
	if wait, ok := queryBool(v, true); ok {
		return wait, nil
	}
	return false, stockbell.FieldErrorf("wait", "wait must be true (sync now and answer the report) or false (queue the sync), got %q.", v)
}

var errNoFeed = stockbell.Errorf(stockbell.ENOTFOUND, "This shop has no catalog feed to sync.")

// noFeed says what a shop's ENOTFOUND means here.
func noFeed(err error) error {
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return errNoFeed
	}
	return err
}

// feedSyncBody refuses a body sent to POST /feed/sync, which takes its
// wait as a query parameter: a client that sent {"wait": false} would
// otherwise wait for the sync it meant to queue. No body, or an empty
// object (which some clients send with every POST), is fine; a field is
// refused naming it, wait as the query parameter it is.
func feedSyncBody(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r, maxAPIBody)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return err
	}
	var fields map[string]json.RawMessage
	if err := decodeJSONBody(body, &fields, true); err != nil {
		return err
	}
	if fields == nil {
		return stockbell.FieldErrorf("body", "The request body must be a JSON object, got null.")
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if name == "wait" {
			return stockbell.FieldErrorf("wait", "wait is a query parameter of POST %s/feed/sync (?wait=false), not a field of a body: send no body.", APIPrefix)
		}
		return stockbell.FieldErrorf(name, "Unknown field %q: POST %s/feed/sync takes no body.", name, APIPrefix)
	}
	return nil
}
