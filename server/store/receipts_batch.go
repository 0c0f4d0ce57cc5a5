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
	// shopGone is set when the receipt names by id a shop found gone (an
	// erase committed meanwhile): nothing is stored, and its request is
	// answered ENOTFOUND while the batch's others are stored.
	shopGone bool
}

// outcome is the write's answer once its batch ended with err: ENOTFOUND
// for a receipt whose shop was found gone, whether the batch stored the
// others (err nil) or its transaction failed on that shop's foreign key
// (markGoneShops), which the receipt run alone meets again.
func (w *receiptWrite) outcome(err error) error {
	if w.shopGone && (err == nil || isForeignKeyViolation(err)) {
		return stockbell.Errorf(stockbell.ENOTFOUND, "shop %d not found", *w.receipt.ShopID)
	}
	return err
}

// insertReceipts inserts the batch's receipts in one statement, each with
// its shop found by domain within the statement as recordReceipt does, and
// sets the id and shop id of those stored. Every write's inserted and
// shopGone are set afresh, since a batch may run again. A statement that
// fails a foreign key runs once more without the receipts whose shop is
// gone (insertWithoutGoneShops), or, in a PostgreSQL transaction, which
// the failure aborted, marks them (markGoneShops) and fails.
func insertReceipts(ctx context.Context, tx *Tx, writes []*receiptWrite) error {
	if len(writes) == 0 {
		return nil
	}
	now := tx.db.now()
	byKey := make(map[receiptKey]*receiptWrite, len(writes))
	for _, w := range writes {
		w.inserted, w.shopGone = false, false
		prepareReceipt(w.receipt, now)
		if k := keyOf(w.receipt); byKey[k] == nil {
			byKey[k] = w // of a receipt twice in the batch, the first is stored
		}
	}
	err := insertReceiptRows(ctx, tx, writes, byKey, now)
	switch {
	case !isForeignKeyViolation(err):
		return err
	case !canRunAfterAFailure(tx):
		return markGoneShops(ctx, tx.db, writes, err)
	}
	return insertWithoutGoneShops(ctx, tx, writes, byKey, now)
}

// markGoneShops marks shopGone the receipts that name by id a shop no
// longer stored, read outside tx, a PostgreSQL transaction whose statement
// failed a foreign key (failure), and returns failure: the transaction is
// aborted. Receipts come here when a batch's statement outside a
// transaction (commitPlain) failed for another reason, or found a receipt
// seen before, and the batch ran in a transaction. Its writes then run
// again one by one, and the erased shop's receipt, failing its key alone,
// is answered ENOTFOUND (receiptWrite.outcome), as the statement outside a
// transaction answers it, where it had answered the violation (a 500).
// The key's check waited for the erase's commit: a read now finds the
// shop gone.
func markGoneShops(ctx context.Context, db *DB, writes []*receiptWrite, failure error) error {
	stored, err := storedShops(ctx, &Tx{queryer: db.DB, db: db}, writes)
	if err != nil {
		return failure
	}
	for _, w := range writes {
		if id := w.receipt.ShopID; id != nil && *id != 0 && !stored[*id] {
			w.shopGone = true
		}
	}
	return failure
}

// insertWithoutGoneShops runs the batch's statement again after it failed
// a foreign key, marking shopGone the receipts that name by id a shop no
// longer stored and leaving them out. A shop's erase that deleted the
// shop's row while the statement ran fails it so (on PostgreSQL the key's
// check waits for the erase's commit): without this, every receipt of the
// batch failed, the gone shop's as a server error the platform retried.
// Normal batches never come here: nothing is locked or read beforehand.
// A receipt that finds its shop by domain finds it afresh in the second
// statement (none, if the erase took it).
func insertWithoutGoneShops(ctx context.Context, tx *Tx, writes []*receiptWrite, byKey map[receiptKey]*receiptWrite, now time.Time) error {
	stored, err := storedShops(ctx, tx, writes)
	if err != nil {
		return err
	}
	kept := make([]*receiptWrite, 0, len(writes))
	for _, w := range writes {
		switch id := w.receipt.ShopID; {
		case w.inserted: // by an earlier statement of SQLite's transaction
		case id != nil && *id != 0 && !stored[*id]:
			w.shopGone = true
		default:
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return insertReceiptRows(ctx, tx, kept, byKey, now)
}

// storedShops returns which of the shops the receipts name by id are stored.
func storedShops(ctx context.Context, tx *Tx, writes []*receiptWrite) (map[int64]bool, error) {
	var named []any
	seen := map[int64]bool{}
	for _, w := range writes {
		if id := w.receipt.ShopID; id != nil && *id != 0 && !seen[*id] {
			seen[*id] = true
			named = append(named, *id)
		}
	}
	stored := map[int64]bool{}
	if len(named) == 0 {
		return stored, nil
	}
	var ids []int64
	err := tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT id FROM shops WHERE id IN (`+placeholders(len(named))+`)`), named...)
	for _, id := range ids {
		stored[id] = true
	}
	return stored, err
}

// canRunAfterAFailure reports whether tx may run a statement after one
// failed: outside a transaction, or in SQLite's, which a failed statement
// leaves open; a PostgreSQL transaction is aborted by it.
func canRunAfterAFailure(tx *Tx) bool {
	return tx.sqlTx == nil || tx.db.Dialect != Postgres
}

// insertReceiptRows is insertReceipts' statement, setting the id, shop id
// and inserted of the writes it stored.
func insertReceiptRows(ctx context.Context, tx *Tx, writes []*receiptWrite, byKey map[receiptKey]*receiptWrite, now time.Time) error {
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
		type returned struct {
			w      *receiptWrite
			id     int64
			shopID *int64
		}
		got := make([]returned, 0, len(writes))
		for rows.Next() {
			var stored stockbell.WebhookReceipt
			if err := rows.Scan(&stored.ID, &stored.ShopID, &stored.Platform, &stored.Domain, &stored.EventID); err != nil {
				return err
			}
			if w := byKey[keyOf(&stored)]; w != nil {
				got = append(got, returned{w, stored.ID, stored.ShopID})
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// Outside a transaction, the statement's commit. A receipt counts as
		// stored, and takes the shop found by its domain, only once its
		// statement succeeded: one that fails (a foreign key's check at its
		// end) runs again without it or with the shop found afresh.
		if err := rows.Close(); err != nil {
			return err
		}
		for _, r := range got {
			r.w.receipt.ID, r.w.receipt.ShopID, r.w.inserted = r.id, r.shopID, true
		}
		return nil
	})
}

// insertPlainReceipts is insertReceipts for a plain batch (see
// groupCommit.commitPlain): its statement commits on its own. When it
// fails, none of it is stored, and no write is left marked inserted or
// its shop gone.
func insertPlainReceipts(ctx context.Context, tx *Tx, writes []*receiptWrite) error {
	err := insertReceipts(ctx, tx, writes)
	if err != nil {
		for _, w := range writes {
			w.inserted, w.shopGone = false, false
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
