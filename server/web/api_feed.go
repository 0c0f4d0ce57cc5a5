package web

import (
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// syncFeed syncs the shop's catalog feed, as `stockbell feed sync` does:
// it waits for the sync and answers its report (a failed sync is a
// report with "failure" set; no rejections is []). With ?wait=false it
// queues the sync for the job workers and answers 202 at once. A shop
// without a feed is 404.
func (a *API) syncFeed(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
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
