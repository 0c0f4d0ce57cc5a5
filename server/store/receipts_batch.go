package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// receiptWrite is a webhook receipt waiting in a group batch. The batch
// inserts every receipt it holds in one statement before any write's
// function runs (insertReceipts); a receipt that statement did not store
// (seen before, or twice in the batch) goes through recordReceipt, which
// finds the stored one.
type receiptWrite struct {
	receipt *stockbell.WebhookReceipt
	// inserted is set when the batch's statement stored the receipt.
	inserted bool
}

// insertReceipts inserts the batch's receipts in one statement, each with
// its shop found by domain within the statement as recordReceipt does, and
// sets the id and shop id of those stored. Every write's inserted is set
// afresh, since a batch may run again.
func insertReceipts(ctx context.Context, tx *Tx, writes []*receiptWrite) error {
	if len(writes) == 0 {
		return nil
	}
	now := tx.db.now()
	byKey := make(map[receiptKey]*receiptWrite, len(writes))
	for _, w := range writes {
		w.inserted = false
		prepareReceipt(w.receipt, now)
		if k := keyOf(w.receipt); byKey[k] == nil {
			byKey[k] = w // of a receipt twice in the batch, the first is stored
		}
	}
	return receiptRows(writes).each(tx, func(with string, args []any, _, _ int) error {
		rows, err := tx.QueryxContext(ctx, tx.Rebind(`WITH `+with+` INSERT INTO webhook_receipts (platform, shop_id, domain,
			event_id, topic, payload, triggered_at, received_at)
			SELECT n.platform, COALESCE(NULLIF(n.shop_id, 0), (SELECT s.id FROM shops s WHERE s.platform = n.platform AND s.domain = n.domain)),
				n.domain, n.event_id, n.topic, n.payload, n.triggered_at, `+tx.typed("TIMESTAMPTZ")+` FROM new_receipt n WHERE 1 = 1
			ON CONFLICT (platform, domain, event_id) DO NOTHING RETURNING id, shop_id, platform, domain, event_id`),
			append(args, now)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var stored stockbell.WebhookReceipt
			if err := rows.Scan(&stored.ID, &stored.ShopID, &stored.Platform, &stored.Domain, &stored.EventID); err != nil {
				return err
			}
			if w := byKey[keyOf(&stored)]; w != nil {
				w.receipt.ID, w.receipt.ShopID, w.inserted = stored.ID, stored.ShopID, true
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close() // outside a transaction, the statement's commit
	})
}

// insertPlainReceipts is insertReceipts for a plain batch (see
// groupCommit.commitPlain): its statement commits on its own. When it
// fails, none of it is stored, and no write is left marked inserted.
func insertPlainReceipts(ctx context.Context, tx *Tx, writes []*receiptWrite) error {
	err := insertReceipts(ctx, tx, writes)
	if err != nil {
		for _, w := range writes {
			w.inserted = false
		}
	}
	return err
}

// prepareReceipt stamps the receipt received now, triggered now unless
// the platform said when.
func prepareReceipt(r *stockbell.WebhookReceipt, now time.Time) {
	r.ReceivedAt = now
	if r.TriggeredAt.IsZero() {
		r.TriggeredAt = r.ReceivedAt
	}
	if r.Payload == nil {
		r.Payload = []byte{}
	}
}

// receiptKey is what makes a receipt unique.
type receiptKey struct {
	platform        stockbell.Platform
	domain, eventID string
}

func keyOf(r *stockbell.WebhookReceipt) receiptKey {
	return receiptKey{r.Platform, r.Domain, r.EventID}
}

// receiptRows holds the receipts column by column; a receipt without a
// shop id has 0.
func receiptRows(writes []*receiptWrite) *rowSet {
	n := len(writes)
	platforms, domains, eventIDs, topics := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	shops, payloads, triggered := make([]int64, n), make([][]byte, n), make([]time.Time, n)
	for i, w := range writes {
		r := w.receipt
		platforms[i], domains[i], eventIDs[i], topics[i] = string(r.Platform), r.Domain, r.EventID, r.Topic
		if r.ShopID != nil {
			shops[i] = *r.ShopID
		}
		payloads[i], triggered[i] = r.Payload, r.TriggeredAt.UTC()
	}
	return newRowSet("new_receipt").plannedOnce().texts("platform", platforms).int64s("shop_id", shops).texts("domain", domains).
		texts("event_id", eventIDs).texts("topic", topics).blobs("payload", payloads).times("triggered_at", triggered)
}
