package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFlowFormDecidesOnHeldBatchesKeepingTypedMessages: a held batch
// approved with the flow form's own button shows the form again as typed,
// unsaved; approving it again (a second tab, a resent form) says it was
// approved already, changes nothing and still keeps what was typed.
func TestFlowFormDecidesOnHeldBatchesKeepingTypedMessages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		batch := holdBatch(t, f, w)
		b := f.signIn(t, w.shop)
		token := b.get("/admin/flow").csrf(t)
		before := flowOf(t, db, w.shop)
		approve := "approve_" + strconv.FormatInt(batch.ID, 10)
		for i, want := range []string{"Batch approved", "was already approved on"} {
			p := b.post("/admin/flow", flowForm(token, "status", "manual", "action", approve, "s1_subject", "Typed, unsaved"))
			wantStatus(t, p, http.StatusOK, "approving from the flow form")
			if !strings.Contains(p.Body, want) || !strings.Contains(p.Body, `value="Typed, unsaved"`) {
				t.Errorf("approval %d: want %q and the typed subject:\n%.3000s", i+1, want, p.Body)
			}
		}
		if after := flowOf(t, db, w.shop); after.Steps[0].Subject != before.Steps[0].Subject {
			t.Errorf("approving saved the typed subject %q", after.Steps[0].Subject)
		}
		if held := b.get("/admin/flow"); strings.Contains(held.Body, "Batches waiting for your approval") {
			t.Error("the approved batch is still listed")
		}
	})
}

// TestFlowFormRefusesAnotherShopsHeldBatch: the flow form's approve_ID and
// discard_ID name a batch by number, so a shop posting another shop's
// batch number decides nothing: the batch still waits for its own shop,
// and the page says, as an alert, that no such batch waits.
func TestFlowFormRefusesAnotherShopsHeldBatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		batch := holdBatch(t, f, w)
		other := f.signIn(t, w.other)
		token := other.get("/admin/flow").csrf(t)
		for _, action := range []string{"approve_", "discard_"} {
			p := other.post("/admin/flow", flowForm(token, "action", action+strconv.FormatInt(batch.ID, 10), "s1_subject", "Typed, unsaved"))
			wantStatus(t, p, http.StatusOK, "shop B posting "+action+" shop A's batch")
			alert := `role="alert">Batch ` + strconv.FormatInt(batch.ID, 10) + ` no longer waits for approval`
			if !strings.Contains(p.Body, alert) || strings.Contains(p.Body, "Batch approved") || strings.Contains(p.Body, "Batch discarded") {
				t.Errorf("%s shop A's batch from shop B: want the alert %q:\n%.3000s", action, alert, p.Body)
			}
		}
		held, err := db.FindHeldBatches(context.Background(), w.shop.ID)
		if err != nil || len(held) != 1 || held[0].Batch.ID != batch.ID {
			t.Fatalf("shop A's held batches after shop B's posts: %+v %v, want batch %d still held", held, err, batch.ID)
		}
	})
}

// TestHeldBatchDecidedAgainSaysWhen: approving or discarding a batch
// already decided (a second tab, a resubmitted form, a double click)
// answers as a decision does, the Flow page with a notice, saying it was
// approved (or discarded) already and when; nothing is sent again. Posted
// to the batch's own address it redirects to the Flow page; posted with
// the flow form it shows the form again as typed.
func TestHeldBatchDecidedAgainSaysWhen(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com", "bea@example.com")
		batch := holdBatch(t, f, w)
		id := strconv.FormatInt(batch.ID, 10)
		b := f.signIn(t, w.shop)
		token := b.get("/admin/flow").csrf(t)
		approvedAt := f.clock.Now()
		wantStatus(t, b.post("/admin/flow/batches/"+id+"/approve", url.Values{"csrf_token": {token}}), http.StatusSeeOther, "approving")
		f.clock.Add(time.Hour)

		said := "Batch " + id + " was already approved on " + approvedAt.Format("2 Jan 2006, 15:04 UTC")
		for _, verb := range []string{"approve", "discard"} {
			p := b.post("/admin/flow/batches/"+id+"/"+verb, url.Values{"csrf_token": {token}})
			wantStatus(t, p, http.StatusSeeOther, verb+" again at the batch's address")
			next := p.Header.Get("Location")
			if !strings.HasPrefix(next, "/admin/flow?") {
				t.Fatalf("%s again: redirected to %q, want the Flow page", verb, next)
			}
			wantPageSays(t, b, next, said)

			p = b.post("/admin/flow", flowForm(token, "status", "manual", "action", verb+"_"+id, "s1_subject", "Typed, unsaved"))
			wantStatus(t, p, http.StatusOK, verb+" again with the flow form")
			if text := visibleText(p.Body); !strings.Contains(text, said) || strings.Contains(p.Body, `role="alert"`) ||
				!strings.Contains(p.Body, `value="Typed, unsaved"`) {
				t.Errorf("%s again with the flow form: want the notice %q, no alert, the typed subject:\n%.3000s", verb, said, p.Body)
			}
		}
		pending := stockbell.MessagePending
		if _, n, err := db.FindMessages(context.Background(), stockbell.MessageFilter{ShopID: &w.shop.ID, Status: &pending}); err != nil || n != 2 {
			t.Errorf("pending after deciding again: %d (%v), want the 2 approved once", n, err)
		}

		// A discarded batch says so.
		if _, _, err := db.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variant.ID,
			Email: "cy@example.com", Channels: stockbell.Channels{stockbell.ChannelEmail}}); err != nil {
			t.Fatal(err)
		}
		discarded := holdBatch(t, f, w)
		id = strconv.FormatInt(discarded.ID, 10)
		discardedAt := f.clock.Now()
		wantStatus(t, b.post("/admin/flow/batches/"+id+"/discard", url.Values{"csrf_token": {token}, "confirm": {"yes"}}), http.StatusSeeOther, "discarding")
		p := b.post("/admin/flow/batches/"+id+"/approve", url.Values{"csrf_token": {token}})
		wantStatus(t, p, http.StatusSeeOther, "approving a discarded batch")
		wantPageSays(t, b, p.Header.Get("Location"), "Batch "+id+" was already discarded on "+discardedAt.Format("2 Jan 2006, 15:04 UTC"))
	})
}
