package delivery_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestUndoButtonUndoesItsOwnRemovalOnly: a removal's Undo button, posted
// again after the undo and a second removal of the same alert (an old tab,
// the browser's history, anyone holding the page), restores nothing: the
// second removal is the shopper's latest word, and its own button undoes it.
func TestUndoButtonUndoesItsOwnRemovalOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		lamp := w.subscribe(t, "A", "ana@example.com", "")
		link := w.sendEmail(t, lamp)
		remove := url.Values{"remove": {strconv.FormatInt(lamp.ID, 10)}}

		first := undoButton(t, w, postForm(t, link, remove, http.StatusSeeOther))
		postPage(t, link, url.Values{"undo": {first}}, nil, http.StatusOK)
		w.clock.Add(time.Hour)
		second := undoButton(t, w, postForm(t, link, remove, http.StatusSeeOther))
		postPage(t, link, url.Values{"undo": {first}}, nil, http.StatusConflict)
		if got := w.status(t, lamp.ID); got != stockbell.SubscriptionUnsubscribed {
			t.Fatalf("the first removal's button, posted again, left the alert %s: it undid the second removal", got)
		}
		postPage(t, link, url.Values{"undo": {second}}, nil, http.StatusOK)
		if got := w.status(t, lamp.ID); got != stockbell.SubscriptionQueued {
			t.Errorf("the second removal's button left the alert %s, want queued", got)
		}
	})
}
