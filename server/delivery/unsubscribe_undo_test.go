package delivery_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// undoButton returns the token of the Undo button the page shows after a
// removal (the redirect's location), failing when it shows none.
func undoButton(t *testing.T, w *wired, location string) string {
	t.Helper()
	page := get(t, w.public+location, http.StatusOK)
	_, rest, ok := strings.Cut(page, `name="undo" value="`)
	if !ok {
		t.Fatalf("the page after a removal has no Undo button:\n%s", page)
	}
	token, _, _ := strings.Cut(rest, `"`)
	return token
}

// postPage posts a form and returns the page it answers with.
func postPage(t *testing.T, link string, form url.Values, header http.Header, wantStatus int) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, link, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("POST %v: %s, want %d\n%s", form, resp.Status, wantStatus, body)
	}
	return string(body)
}

// TestUndoRestoresWhatTheRemovalEnded: "Remove all" then Undo puts the
// contact's alerts back, each ahead of the shoppers who signed up after
// it; an Undo after removing one alert restores that one alone. Loading the
// page with the button (as a link scanner would) restores nothing.
func TestUndoRestoresWhatTheRemovalEnded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		lampA := w.subscribe(t, "A", "ana@example.com", "")
		lampB := w.subscribe(t, "B", "ana@example.com", "")
		later := w.subscribe(t, "A", "bo@example.com", "")
		link := w.sendEmail(t, lampA)

		button := undoButton(t, w, postForm(t, link, url.Values{"remove": {"all"}}, http.StatusSeeOther))
		if w.status(t, lampA.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, lampB.ID) != stockbell.SubscriptionUnsubscribed {
			t.Fatal("remove all left an alert")
		}
		get(t, link+"?removed=all&undo="+url.QueryEscape(button), http.StatusOK)
		if w.status(t, lampA.ID) != stockbell.SubscriptionUnsubscribed {
			t.Fatal("showing the Undo button restored an alert")
		}
		page := postPage(t, link, url.Values{"undo": {button}}, nil, http.StatusOK)
		if strings.Count(page, "restored: you will be told as before.") != 2 {
			t.Errorf("the page does not say both alerts were restored:\n%s", page)
		}
		for _, id := range []int64{lampA.ID, lampB.ID} {
			if w.status(t, id) != stockbell.SubscriptionQueued {
				t.Errorf("alert %d is %s after the undo, want queued", id, w.status(t, id))
			}
		}
		wantQueue(t, w, "A", lampA.ID, later.ID)

		one := undoButton(t, w, postForm(t, link, url.Values{"remove": {strconv.FormatInt(lampB.ID, 10)}}, http.StatusSeeOther))
		postForm(t, link, url.Values{"remove": {strconv.FormatInt(lampA.ID, 10)}}, http.StatusSeeOther)
		postPage(t, link, url.Values{"undo": {one}}, nil, http.StatusOK)
		if w.status(t, lampB.ID) != stockbell.SubscriptionQueued || w.status(t, lampA.ID) != stockbell.SubscriptionUnsubscribed {
			t.Error("an Undo restored another removal's alert, or not its own")
		}
	})
}

// wantQueue fails unless the lamp's queue is ids, oldest first.
func wantQueue(t *testing.T, w *wired, lamp string, ids ...int64) {
	t.Helper()
	queued := stockbell.SubscriptionQueued
	subs, _, err := w.db.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &w.shop.ID, VariantID: &w.variants[lamp].ID, Status: &queued})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, s := range subs {
		got = append(got, s.ID)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("queue of lamp %s = %v, want %v", lamp, got, ids)
	}
}

// TestUndoRefusals: the Undo button says why it restores nothing: it
// expired, the shopper signed up again meanwhile, or the item is gone. It
// is refused outright when posted from another site, with another shop's
// or another contact's button; and the mail client's one-click POST
// unsubscribes, whatever else it carries.
func TestUndoRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		lampA := w.subscribe(t, "A", "ana@example.com", "")
		lampB := w.subscribe(t, "B", "ana@example.com", "")
		bo := w.subscribe(t, "A", "bo@example.com", "")
		link, boLink := w.sendEmail(t, lampA), w.sendEmail(t, bo)
		remove := func(sub *stockbell.Subscription) string {
			return undoButton(t, w, postForm(t, link, url.Values{"remove": {strconv.FormatInt(sub.ID, 10)}}, http.StatusSeeOther))
		}

		button := remove(lampA)
		page := postPage(t, link, url.Values{"undo": {button}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden)
		signer := newSigner(t)
		otherShop := signer.UndoToken(delivery.UndoToken{ShopID: w.shop.ID + 1, Expires: w.clock.Now().Add(time.Hour), SubscriptionIDs: []int64{lampA.ID}})
		postPage(t, link, url.Values{"undo": {otherShop}}, nil, http.StatusNotFound)
		boButton := undoButton(t, w, postForm(t, boLink, url.Values{"remove": {"all"}}, http.StatusSeeOther))
		postPage(t, link, url.Values{"undo": {boButton}}, nil, http.StatusBadRequest)
		if w.status(t, lampA.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, bo.ID) != stockbell.SubscriptionUnsubscribed {
			t.Fatalf("a refused undo restored an alert:\n%s", page)
		}

		again := w.subscribe(t, "A", "ana@example.com", "")
		page = postPage(t, link, url.Values{"undo": {button}}, nil, http.StatusConflict)
		wantContains(t, "page after signing up again", page, "you have signed up for it again since; that sign-up stands.")
		if w.status(t, again.ID) != stockbell.SubscriptionQueued {
			t.Error("the undo ended the new sign-up")
		}

		button = remove(lampB)
		_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE variants SET deleted = TRUE WHERE id = ?`), w.variants["B"].ID)
		if err != nil {
			t.Fatal(err)
		}
		page = postPage(t, link, url.Values{"undo": {button}}, nil, http.StatusConflict)
		wantContains(t, "page after the item left the catalog", page, "the shop no longer sells this item.")

		_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE variants SET deleted = FALSE WHERE id = ?`), w.variants["B"].ID)
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Add(stockbell.UnsubscribeUndoWindow)
		page = postPage(t, link, url.Values{"undo": {button}}, nil, http.StatusGone)
		wantContains(t, "page of an expired button", page, "too late to undo: a removal can be undone for 24 hours.")
		if w.status(t, lampB.ID) != stockbell.SubscriptionUnsubscribed {
			t.Error("an expired button restored the alert")
		}

		// RFC 8058: the one-click POST unsubscribes only.
		w.clock.Add(-stockbell.UnsubscribeUndoWindow)
		postPage(t, link, url.Values{"List-Unsubscribe": {"One-Click"}, "undo": {button}}, nil, http.StatusOK)
		if w.status(t, lampB.ID) != stockbell.SubscriptionUnsubscribed {
			t.Error("a one-click POST carrying a valid Undo token restored its alert")
		}
	})
}

func wantContains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, text)
		}
	}
}

// TestPageOfAnUndoneRemovalSaysNothingWasRemoved: the page a removal
// redirected to, opened again once its removal was undone (the browser's
// Back from what the undo answered, or the address from its history), does
// not say the alert was removed nor offer to undo it again: the alert is
// listed as active, with its Remove button. So for "Remove all" too.
func TestPageOfAnUndoneRemovalSaysNothingWasRemoved(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		lampA := w.subscribe(t, "A", "ana@example.com", "")
		w.subscribe(t, "B", "ana@example.com", "")
		link := w.sendEmail(t, lampA)
		for _, which := range []string{strconv.FormatInt(lampA.ID, 10), "all"} {
			location := postForm(t, link, url.Values{"remove": {which}}, http.StatusSeeOther)
			postPage(t, link, url.Values{"undo": {undoButton(t, w, location)}}, nil, http.StatusOK)
			page := get(t, w.public+location, http.StatusOK)
			if strings.Contains(page, "removed.") || strings.Contains(page, `name="undo"`) || !strings.Contains(page, `name="remove"`) {
				t.Errorf("remove %s, undone: the page it redirected to still says it was removed:\n%s", which, page)
			}
		}
	})
}
