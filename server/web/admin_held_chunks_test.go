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

// TestApproveAfterSecondChunkApprovedSaysAlerts: a batch whose alerts were
// claimed in two chunks, each approved on its own (the second chunk held
// after the first was approved), reads, to a late Approve, as approved
// and then more of its alerts approved, not as follow-up messages: the
// batch's flow sends no follow-up.
func TestApproveAfterSecondChunkApprovedSaysAlerts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newAdminFixture(t, db)
		w := newWaitingShopToday(t, f, "ann@example.com", "bea@example.com")
		flow := stockbell.DefaultFlow(w.shop.ID)
		flow.Status = stockbell.FlowManual
		if err := db.UpdateFlow(ctx, flow); err != nil {
			t.Fatal(err)
		}
		batch, err := db.StartBatch(ctx, stockbell.BatchStart{ShopID: w.shop.ID, VariantID: w.variant.ID, Everyone: true, Stock: 3, Cutoff: f.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		ana, cy := stockbell.AdminUser{Email: "ana@example.com"}, stockbell.AdminUser{Email: "cy@example.com"}
		var on []string
		for chunk, by := range []stockbell.AdminUser{ana, cy} {
			if _, err := db.ClaimChunk(ctx, stockbell.ChunkClaim{ShopID: w.shop.ID, BatchID: batch.ID, Chunk: chunk + 1, Limit: 1}); err != nil {
				t.Fatal(err)
			}
			if n, err := db.ApproveHeldBatch(ctx, w.shop.ID, batch.ID, by); err != nil || n != 1 {
				t.Fatalf("approving chunk %d: %d messages, %v", chunk+1, n, err)
			}
			on = append(on, f.clock.Now().Format("2 Jan 2006, 15:04 UTC"))
			f.clock.Add(time.Hour)
		}

		b := f.signIn(t, w.shop)
		id := strconv.FormatInt(batch.ID, 10)
		p := b.post("/admin/flow/batches/"+id+"/approve", url.Values{"csrf_token": {b.get("/admin/flow").csrf(t)}})
		wantStatus(t, p, http.StatusSeeOther, "approving a batch approved in two chunks")
		text := visibleText(b.get(p.Header.Get("Location")).Body)
		want := "Batch " + id + " was already approved on " + on[0] + " by ana@example.com: its alerts were queued for sending then, and nothing is sent again. " +
			"More of its alerts, held since, were approved on " + on[1] + " by cy@example.com: they were queued for sending then."
		if !strings.Contains(text, want) || strings.Contains(text, "follow-up") {
			t.Errorf("a late Approve on a batch approved in two chunks lacks %q, or speaks of follow-ups:\n%s", want, text)
		}
	})
}
