package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestFlowFormDecidesOnHeldBatchesKeepingTypedMessages: a held batch
// approved with the flow form's own button shows the form again as typed,
// unsaved; approving it again (a second tab, a resent form) says it was
// decided already, changes nothing and still keeps what was typed.
func TestFlowFormDecidesOnHeldBatchesKeepingTypedMessages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		w := newWaitingShop(t, f, "ann@example.com")
		batch := holdBatch(t, f, w)
		b := f.signIn(t, w.shop)
		token := b.get("/admin/flow").csrf(t)
		before := flowOf(t, db, w.shop)
		approve := "approve_" + strconv.FormatInt(batch.ID, 10)
		for i, want := range []string{"Batch approved", "no longer waits for approval"} {
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
