package delivery_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
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

// oneClickDuringRead is the store with a one-click unsubscribe landing
// once, right after the first read of alerts it is armed for: the mail
// client's post arriving while "Remove all" runs, between its reading of
// the contact's alerts and its removal of them.
type oneClickDuringRead struct {
	*store.DB
	oneClick func()
}

func (s *oneClickDuringRead) FindSubscriptions(ctx context.Context, filter stockbell.SubscriptionFilter) ([]*stockbell.Subscription, int, error) {
	subs, n, err := s.DB.FindSubscriptions(ctx, filter)
	if click := s.oneClick; click != nil {
		s.oneClick = nil
		click()
	}
	return subs, n, err
}

// TestUndoLeavesAOneClickRemovalRemoved: an alert a one-click unsubscribe
// removed while "Remove all" ran is named by that removal's Undo button
// (the removal read it active) but was not ended by it: Undo restores the
// other alert and leaves it removed.
func TestUndoLeavesAOneClickRemovalRemoved(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		lampA := w.subscribe(t, "A", "ana@example.com", "")
		lampB := w.subscribe(t, "B", "ana@example.com", "")
		link, linkB := w.sendEmail(t, lampA), w.sendEmail(t, lampB)
		hooked := &oneClickDuringRead{DB: db}
		w.d.Unsubscribes.Subscriptions = hooked
		hooked.oneClick = func() {
			resp, err := http.Post(linkB, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
			if err != nil {
				t.Error(err) // on the server's goroutine
				return
			}
			resp.Body.Close()
			w.clock.Add(time.Second)
		}
		button := undoButton(t, w, postForm(t, link, url.Values{"remove": {"all"}}, http.StatusSeeOther))
		postPage(t, link, url.Values{"undo": {button}}, nil, http.StatusOK)
		if got := w.status(t, lampA.ID); got != stockbell.SubscriptionQueued {
			t.Errorf("the removed alert after Undo: %s, want queued", got)
		}
		if got := w.status(t, lampB.ID); got != stockbell.SubscriptionUnsubscribed {
			t.Errorf("the alert removed by one-click after Undo: %s, want unsubscribed", got)
		}
	})
}

// oneClickDuringRemoval is the store with a one-click unsubscribe landing
// once, when the removal it is armed for goes to end its first alert: the
// mail client's post arriving after "Remove all" started, before it
// reached the alert the post ends.
type oneClickDuringRemoval struct {
	*store.DB
	oneClick atomic.Pointer[func()]
}

func (s *oneClickDuringRemoval) EndSubscription(ctx context.Context, shopID, id int64) (bool, error) {
	if click := s.oneClick.Swap(nil); click != nil {
		(*click)()
	}
	return s.DB.EndSubscription(ctx, shopID, id)
}

// TestUndoLeavesAOneClickDuringTheRemovalRemoved: a one-click unsubscribe
// that ends an alert after "Remove all" started, and before the removal
// reached that alert, is its own removal: the removal's Undo restores
// the alert the removal ended and leaves the one-click's removed.
func TestUndoLeavesAOneClickDuringTheRemovalRemoved(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		lampA := w.subscribe(t, "A", "ana@example.com", "")
		lampB := w.subscribe(t, "B", "ana@example.com", "")
		link, linkB := w.sendEmail(t, lampA), w.sendEmail(t, lampB)
		hooked := &oneClickDuringRemoval{DB: db}
		w.d.Unsubscribes.Subscriptions = hooked
		var clicked bool
		oneClick := func() {
			w.clock.Add(time.Microsecond) // after the removal's start
			resp, err := http.Post(linkB, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
			if err != nil {
				t.Error(err) // on the server's goroutine
				return
			}
			resp.Body.Close()
			clicked = resp.StatusCode == http.StatusOK
		}
		hooked.oneClick.Store(&oneClick)
		button := undoButton(t, w, postForm(t, link, url.Values{"remove": {"all"}}, http.StatusSeeOther))
		if !clicked {
			t.Fatal("the one-click did not land during the removal")
		}
		page := postPage(t, link, url.Values{"undo": {button}}, nil, http.StatusOK)
		if got := w.status(t, lampA.ID); got != stockbell.SubscriptionQueued {
			t.Errorf("the alert the removal ended, after Undo: %s, want queued", got)
		}
		if got := w.status(t, lampB.ID); got != stockbell.SubscriptionUnsubscribed {
			t.Errorf("the alert the one-click ended, after Undo: %s, want unsubscribed", got)
		}
		if n := strings.Count(page, "restored: you will be told as before."); n != 1 {
			t.Errorf("the page says %d alerts were restored, want 1:\n%s", n, page)
		}
	})
}

// TestUndoTokenNamesItsRemovalsStart: a button names when its removal
// started, to the microsecond; a button made before buttons named it
// (no start) still reads, with its ids, and undoes as it did then.
func TestUndoTokenNamesItsRemovalsStart(t *testing.T) {
	signer, err := delivery.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Date(2025, 3, 2, 12, 0, 0, 0, time.UTC)
	for _, started := range []time.Time{{}, time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)} {
		want := delivery.UndoToken{ShopID: 7, Expires: expires, SubscriptionIDs: []int64{3, 200}, Started: started}
		got, err := signer.ParseUndoToken(signer.UndoToken(want))
		if err != nil || got.ShopID != want.ShopID || !got.Expires.Equal(expires) || !got.Started.Equal(started) ||
			!slices.Equal(got.SubscriptionIDs, want.SubscriptionIDs) {
			t.Errorf("token of %+v read as %+v, %v", want, got, err)
		}
	}
}
