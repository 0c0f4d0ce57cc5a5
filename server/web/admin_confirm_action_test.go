package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/server/web"
)

// The admin's destructive forms (erasing a shopper's data, removing a
// subscriber, discarding a held batch) ask on a page of the server's own
// before they change anything, as the browser's dialog is not shown in a
// frame sandboxed without allow-modals, nor without JavaScript.

// confirmed is the form posted again with the merchant's yes.
func confirmed(form url.Values) url.Values {
	yes := url.Values{web.ConfirmField: {"yes"}}
	for name, values := range form {
		yes[name] = values
	}
	return yes
}

// wantAsked checks that a destructive form posted without the merchant's
// yes was answered by its question: what will happen, a Yes button
// posting the same fields again to the same address with the session's
// CSRF token, and a way back to the page: a link, or a form posting back
// to it (answerNo follows that one).
func wantAsked(t *testing.T, p page, action, question, yes, back string, form url.Values) {
	t.Helper()
	wantStatus(t, p, http.StatusOK, "posting "+action+" without the confirmation")
	if !strings.Contains(p.Body, `href="`+back+`"`) && !strings.Contains(p.Body, `<form method="post" action="`+back+`" id=`) {
		t.Errorf("the answer to %s without the confirmation leads nowhere back to %s:\n%.4000s", action, back, p.Body)
	}
	text := visibleText(p.Body)
	wants := []string{question, `<form method="post" action="` + action + `">`, `name="csrf_token" value="`,
		`<button class="danger" type="submit" name="confirm" value="yes">` + yes + `</button>`}
	for name, values := range form {
		if name != "csrf_token" {
			wants = append(wants, fmt.Sprintf(`<input type="hidden" name="%s" value="%s">`, name, html.EscapeString(values[0])))
		}
	}
	for _, want := range wants {
		if !strings.Contains(p.Body, want) && !strings.Contains(text, want) {
			t.Errorf("the answer to %s without the confirmation lacks %s:\n%.4000s", action, want, p.Body)
		}
	}
}

// TestEraseAsksFirst: erasing a shopper's data posted without the
// confirmation erases nothing and asks, in the words of the Privacy
// requests page, with the contact posted again (never in a link); with
// it, the shopper is erased in this shop only.
func TestEraseAsksFirst(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		b := f.signIn(t, p.shop)
		form := url.Values{"csrf_token": {b.get("/admin/privacy").csrf(t)}, "email": {p.ann}}
		asked := b.post("/admin/privacy/erase", form)
		wantAsked(t, asked, "/admin/privacy/erase", "Erase everything this shop keeps about this shopper? "+
			"Their subscriptions, messages and history are deleted and cannot be restored.", "Yes, erase their data", "/admin/privacy", form)
		if len(kept(t, db, p.shop.ID, p.ann, "").Subscriptions) == 0 {
			t.Fatal("erasing without the confirmation erased the shopper")
		}
		done := b.post("/admin/privacy/erase", confirmed(form))
		wantStatus(t, done, http.StatusSeeOther, "erasing with the confirmation")
		if loc := done.Header.Get("Location"); loc != "/admin/privacy?notice=privacy_erased" {
			t.Errorf("the confirmed erasure leads to %q", loc)
		}
		if left := kept(t, db, p.shop.ID, p.ann, ""); len(left.Subscriptions) != 0 {
			t.Errorf("after the confirmed erasure %d subscriptions are left", len(left.Subscriptions))
		}
		if elsewhere := kept(t, db, p.other.ID, p.ann, ""); len(elsewhere.Subscriptions) != 1 || len(elsewhere.Messages) != 1 {
			t.Errorf("the other shop's shopper with the same address lost data: %+v", elsewhere)
		}
	})
}

// TestRemoveSubscriberAsksFirst: removing a queued subscriber, or a held
// one from their batch, posted without the confirmation leaves them where
// they are and asks in the words fitting their status; with it they are
// removed, and the other shop's subscriber is untouched. Another shop's
// subscriber is not found, asked about or not.
func TestRemoveSubscriberAsksFirst(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com")
		b := f.signIn(t, w.shop)
		token := b.get("/admin/flow").csrf(t)
		other := fmt.Sprintf("/admin/subscribers/%d/remove", w.otherSub.ID)
		wantStatus(t, b.post(other, url.Values{"csrf_token": {token}}), http.StatusNotFound, "asking about shop B's subscriber")

		queued := "/admin/subscribers/" + strconv.FormatInt(w.subs[0].ID, 10)
		form := url.Values{"csrf_token": {token}}
		wantAsked(t, b.post(queued+"/remove", form), queued+"/remove",
			"Remove this subscriber from the queue? Nothing will be sent to them about this item.", "Yes, remove from the queue", queued, form)
		if got := subscriptionStatus(t, db, w.subs[0]); got != stockbell.SubscriptionQueued {
			t.Fatalf("removing without the confirmation made the subscriber %s", got)
		}

		bea, _, err := db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
			Email: "bea@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}})
		if err != nil {
			t.Fatal(err)
		}
		holdBatch(t, f, w)
		held := "/admin/subscribers/" + strconv.FormatInt(bea.ID, 10)
		wantAsked(t, b.post(held+"/remove", form), held+"/remove",
			"Remove this subscriber from the batch waiting for your approval? Their alert will not be sent, and nothing more is sent to them about this item.",
			"Yes, remove from this batch", held, form)
		if got := subscriptionStatus(t, db, bea); got != stockbell.SubscriptionHeld {
			t.Fatalf("removing from the batch without the confirmation made the subscriber %s", got)
		}

		for _, sub := range []*stockbell.Subscription{w.subs[0], bea} {
			path := fmt.Sprintf("/admin/subscribers/%d/remove", sub.ID)
			wantStatus(t, b.post(path, confirmed(form)), http.StatusSeeOther, "removing "+sub.Email+" with the confirmation")
			if got := subscriptionStatus(t, db, sub); got != stockbell.SubscriptionCancelled {
				t.Errorf("%s after the confirmed removal is %s, want cancelled", sub.Email, got)
			}
		}
		wantStatus(t, b.post(other, confirmed(form)), http.StatusNotFound, "removing shop B's subscriber with the confirmation")
		if got := subscriptionStatus(t, db, w.otherSub); got != stockbell.SubscriptionQueued {
			t.Errorf("shop B's subscriber is %s, want queued", got)
		}
	})
}

// TestDiscardAsksFirst: a held batch's Discard, posted with the flow form
// or to the batch's address without the confirmation, keeps the batch
// held and asks how many messages will never be sent; the flow form's
// question posts its typed messages again, so that the confirmed discard
// shows them still unsaved. Another shop's batch is neither asked about
// nor discarded.
func TestDiscardAsksFirst(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com")
		batch := holdBatch(t, f, w)
		id := strconv.FormatInt(batch.ID, 10)
		b := f.signIn(t, w.shop)
		token := b.get("/admin/flow").csrf(t)
		question := "Discard these 2 messages? They will never be sent."

		form := flowForm(token, "status", "manual", "action", "discard_"+id, "s1_subject", "Typed & unsaved")
		wantAsked(t, b.post("/admin/flow", form), "/admin/flow", question, "Yes, discard them", "/admin/flow", form)
		address := "/admin/flow/batches/" + id + "/discard"
		wantAsked(t, b.post(address, url.Values{"csrf_token": {token}}), address, question, "Yes, discard them", "/admin/flow", nil)
		stillHeld := func(shop *stockbell.Shop, want int) {
			t.Helper()
			if held, err := db.FindHeldBatches(context.Background(), shop.ID); err != nil || len(held) != want {
				t.Fatalf("%s holds %d batches (%v), want %d", shop.Domain, len(held), err, want)
			}
		}
		stillHeld(w.shop, 1)

		other := f.signIn(t, w.other)
		otherToken := other.get("/admin/flow").csrf(t)
		p := other.post("/admin/flow", flowForm(otherToken, "action", "discard_"+id))
		if strings.Contains(p.Body, question) || !strings.Contains(p.Body, "no longer waits for approval") {
			t.Errorf("shop B discarding shop A's batch: want no question, the alert:\n%.3000s", p.Body)
		}
		stillHeld(w.shop, 1)

		done := b.post("/admin/flow", confirmed(form))
		wantStatus(t, done, http.StatusOK, "discarding with the confirmation")
		if !strings.Contains(done.Body, "Batch discarded") || !strings.Contains(done.Body, `value="Typed &amp; unsaved"`) {
			t.Errorf("the confirmed discard: want its notice and the typed subject:\n%.3000s", done.Body)
		}
		stillHeld(w.shop, 0)
		if got := subscriptionStatus(t, db, w.otherSub); got != stockbell.SubscriptionQueued {
			t.Errorf("shop B's subscriber is %s, want queued", got)
		}
	})
}
