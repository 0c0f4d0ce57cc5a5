package web

import (
	"context"
	"encoding/json"
	"math"

	stockbell "github.com/stockbell/stockbell"
)

// addBatchDecisions adds to her timeline the merchant's decision on each
// batch that held her, looked up by batch (FindHeldBatchDecision, one
// indexed lookup per held batch), where the timeline's own window missed
// it: a decision recorded before Stockbell kept who decided was timed
// after the change it made to her, past her last change, so that its
// "Batch N discarded" line and its time on her hold's line went missing.
// A decision the window holds is left as it is.
func (a *Admin) addBatchDecisions(ctx context.Context, shopID int64, tl *stockbell.SubscriberTimeline) error {
	if a.Held == nil {
		return nil
	}
	for _, e := range tl.Events {
		if e.Kind != stockbell.EventHeld || e.SubscriptionID == nil {
			continue
		}
		d := detailOf(e)
		batch := detailInt(d, "batch_id")
		outcome, ok := heldBatchDecision(tl, batch, detailInt(d, "message_id"))
		if !ok || hasBatchDecision(tl, batch, outcome.decision) {
			continue
		}
		last, err := a.Held.FindHeldBatchDecision(ctx, shopID, batch)
		if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if found, ok := decisionSince(last, outcome.decision == "approved", e); ok {
			tl.Events = append(tl.Events, decisionEvent(found, e, len(tl.Events)))
		}
	}
	return nil
}

// hasBatchDecision reports whether the timeline holds a decision on batch.
func hasBatchDecision(tl *stockbell.SubscriberTimeline, batch int64, decision string) bool {
	for _, e := range tl.Events {
		if d := detailOf(e); e.Kind == stockbell.EventBatchDecided && detailInt(d, "batch_id") == batch && d.text("decision") == decision {
			return true
		}
	}
	return false
}

// decisionSince is the batch's first approval (or discard) made at or
// after her hold: the one on the message it held, not a later one on
// the batch's follow-ups.
func decisionSince(last *stockbell.HeldBatchDecision, approved bool, held *stockbell.Event) (stockbell.HeldBatchDecision, bool) {
	for _, d := range append(append([]stockbell.HeldBatchDecision{}, last.Earlier...), *last) {
		if d.Approved == approved && !d.At.Before(held.CreatedAt) {
			return d, true
		}
	}
	return stockbell.HeldBatchDecision{}, false
}

// decisionEvent is the batch_decided event a looked-up decision was
// recorded by, on her variant. Its id sorts after every event of the
// timeline, as a decision's event is written after the changes it made.
func decisionEvent(d stockbell.HeldBatchDecision, held *stockbell.Event, n int) *stockbell.Event {
	detail := map[string]any{"batch_id": d.BatchID, "decision": "discarded", "messages": d.Messages}
	if d.Approved {
		detail["decision"] = "approved"
	}
	if d.By != (stockbell.AdminUser{}) {
		detail["decided_by"] = d.By
	}
	text, _ := json.Marshal(detail)
	return &stockbell.Event{ID: math.MaxInt64 - int64(n), ShopID: held.ShopID, Kind: stockbell.EventBatchDecided,
		VariantID: held.VariantID, Detail: string(text), CreatedAt: d.At}
}
