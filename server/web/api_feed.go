package web

import (
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// syncFeed syncs the shop's catalog feed, as `stockbell feed sync` does:
// it waits for the sync and answers its report (a failed sync is a
// report with "failure" set). With ?wait=false it queues the sync for the
// job workers and answers 202 at once. A shop without a feed is 404.
func (a *API) syncFeed(w http.ResponseWriter, r *http.Request, key *stockbell.APIKey) {
	if a.Feeds == nil {
		a.server.Error(w, r, errNoFeed)
		return
	}
	if r.URL.Query().Get("wait") == "false" {
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
	WriteJSON(w, http.StatusOK, map[string]any{"sync": report})
}

var errNoFeed = stockbell.Errorf(stockbell.ENOTFOUND, "This shop has no catalog feed to sync.")

// noFeed says what a shop's ENOTFOUND means here.
func noFeed(err error) error {
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return errNoFeed
	}
	return err
}
