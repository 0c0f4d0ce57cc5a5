package restock_test

import (
	"encoding/json"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestOutcomeEventDetail: the event of a message's outcome holds its id,
// step, channel, attempts and the result's own fields, written exactly as
// encoding/json writes them (keys in order, no spaces) on both databases,
// whichever statement wrote it.
func TestOutcomeEventDetail(t *testing.T) {
	runBoth(t, func(t *testing.T, h *harness) {
		v := h.variant("v1")
		h.subscribe(v, 2, "d")
		h.sender.reject["d000@example.com"] = true
		h.stock("v1", "warehouse", 5)
		h.run()
		failed, sent := h.messages(stockbell.MessageFailed), h.messages(stockbell.MessageSent)
		if len(failed) != 1 || len(sent) != 1 {
			t.Fatalf("%d failed and %d sent, want 1 and 1", len(failed), len(sent))
		}
		h.wantDetail(v, stockbell.EventMessageFailed, map[string]any{"message_id": failed[0].ID, "step": 1, "channel": "email",
			"attempts": 1, "reason": failed[0].Error})
		h.wantDetail(v, stockbell.EventMessageSent, map[string]any{"message_id": sent[0].ID, "step": 1, "channel": "email",
			"attempts": 1, "provider_id": sent[0].ProviderID})
	})
}

// wantDetail fails unless the variant's one event of kind has exactly the
// detail text json.Marshal gives for want.
func (h *harness) wantDetail(variantID int64, kind stockbell.EventKind, want map[string]any) {
	h.t.Helper()
	var got []string
	h.must(h.db.DB.SelectContext(ctx, &got, h.db.DB.Rebind(`SELECT detail FROM events WHERE variant_id = ? AND kind = ?`), variantID, kind))
	raw, err := json.Marshal(want)
	h.must(err)
	if len(got) != 1 || got[0] != string(raw) {
		h.t.Fatalf("%s events %q, want one with detail %s", kind, got, raw)
	}
}
