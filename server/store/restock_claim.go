package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// claimedSubscription is what a chunk claim needs of a subscription.
type claimedSubscription struct {
	ID        int64              `db:"id"`
	ShopID    int64              `db:"shop_id"`
	VariantID int64              `db:"variant_id"`
	Email     string             `db:"email"`
	Phone     string             `db:"phone"`
	Channels  stockbell.Channels `db:"channels"`
	CreatedAt time.Time          `db:"created_at"`
	// Awaiting are channels still waiting for a confirmation: no message
	// goes to them.
	Awaiting stockbell.Channels `db:"awaiting"`
}

// MaxChunk is the most subscribers one claim takes: its multi-row inserts
// stay under SQLite's 32,766 bound variables.
const MaxChunk = 2000

// ClaimChunk claims one chunk of the shop's batch; see
// stockbell.RestockStore. Returns ENOTFOUND, or EINVALID for a limit
// outside 1..MaxChunk.
func (db *DB) ClaimChunk(ctx context.Context, claim stockbell.ChunkClaim) (*stockbell.ChunkResult, error) {
	if claim.Limit <= 0 || claim.Limit > MaxChunk {
		return nil, stockbell.FieldErrorf("limit", "a chunk claims 1 to %d subscribers, got %d", MaxChunk, claim.Limit)
	}
	var result *stockbell.ChunkResult
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		result, err = claimChunk(ctx, tx, claim)
		return err
	})
	return result, err
}

func claimChunk(ctx context.Context, tx *Tx, claim stockbell.ChunkClaim) (*stockbell.ChunkResult, error) {
	batch, err := lockBatch(ctx, tx, claim.ShopID, claim.BatchID)
	if err != nil {
		return nil, err
	}
	if batch.DoneAt != nil || batch.Chunks >= claim.Chunk {
		return &stockbell.ChunkResult{Done: batch.DoneAt != nil}, nil
	}
	flow, err := findFlow(ctx, tx, batch.ShopID)
	if err != nil {
		return nil, err
	}
	reason, err := claimBlocked(ctx, tx, batch.ShopID, flow)
	if err != nil {
		return nil, err
	}
	if reason != "" {
		detail := skipDetail(reason, map[string]any{"batch_id": batch.ID})
		if err := tx.insertEvent(ctx, variantEvent(batch.ShopID, batch.VariantID, stockbell.EventSkipped), detail); err != nil {
			return nil, err
		}
		return &stockbell.ChunkResult{Done: true}, finishChunk(ctx, tx, batch, claim.Chunk, 0, true)
	}
	want := claim.Limit
	if !batch.Everyone {
		want = min(want, batch.Size-batch.Claimed)
	}
	subs, err := claimQueued(ctx, tx, batch, want)
	if err != nil {
		return nil, err
	}
	if err := startFlow(ctx, tx, flow, batch, subs); err != nil {
		return nil, err
	}
	done := len(subs) < want || (!batch.Everyone && batch.Claimed+len(subs) >= batch.Size)
	if err := finishChunk(ctx, tx, batch, claim.Chunk, len(subs), done); err != nil {
		return nil, err
	}
	return &stockbell.ChunkResult{Claimed: len(subs), Done: done}, nil
}

// claimBlocked returns why a batch may take no one out of the queue now,
// or "": its shop uninstalled the app, or its flow became a draft, since the
// batch started. Its subscribers then keep their places for the next
// restock; claimed, they would be marked notified and their alerts skipped.
func claimBlocked(ctx context.Context, tx *Tx, shopID int64, flow *stockbell.Flow) (stockbell.SkipReason, error) {
	var status stockbell.ShopStatus
	if err := tx.GetContext(ctx, &status, tx.Rebind(`SELECT status FROM shops WHERE id = ?`), shopID); err != nil {
		return "", err
	}
	switch {
	case status != stockbell.ShopInstalled:
		return stockbell.SkipShopUninstalled, nil
	case !flow.Status.Notifies():
		return stockbell.SkipFlowDraft, nil
	}
	return "", nil
}

// lockBatch locks the shop's batch row. Returns ENOTFOUND.
func lockBatch(ctx context.Context, tx *Tx, shopID, id int64) (*stockbell.RestockBatch, error) {
	var b stockbell.RestockBatch
	err := tx.GetContext(ctx, &b, tx.Rebind(`SELECT id, shop_id, variant_id, everyone, size, stock, claimed, chunks,
		cutoff, created_at, done_at FROM restock_batches WHERE id = ? AND shop_id = ?`+tx.forUpdate()), id, shopID)
	if err != nil {
		return nil, notFound(err, "restock batch %d not found", id)
	}
	return &b, nil
}

// claimQueued marks the oldest n queued subscribers of the batch's variant
// notified, in one statement, and returns them oldest first. Pending
// subscribers (awaiting a confirmation on every channel) are not queued:
// they are neither notified nor counted in the batch. The inner query
// walks the subscriptions_queue index from its start: it reads n entries,
// however long the queue. On PostgreSQL SKIP LOCKED lets a concurrent
// claimer of the same variant take the next ones.
func claimQueued(ctx context.Context, tx *Tx, batch *stockbell.RestockBatch, n int) ([]claimedSubscription, error) {
	if n <= 0 {
		return nil, nil
	}
	// On PostgreSQL the ids are gathered into an array by an InitPlan and
	// the rows found by one index scan on = ANY: with IN, the planner joins
	// the subquery (a HashAggregate of its ids, then a primary-key lookup per
	// id, carrying the subquery's whole row for rechecks), which cost
	// PostgreSQL about a tenth more CPU per claimed row.
	claimed := "id IN (SELECT id"
	end := ")"
	if tx.db.Dialect == Postgres {
		claimed, end = "id = ANY(ARRAY(SELECT id", " FOR UPDATE SKIP LOCKED))"
	}
	now := tx.db.now()
	var subs []claimedSubscription
	err := tx.SelectContext(ctx, &subs, tx.Rebind(`UPDATE subscriptions SET status = ?, notified_at = ?, updated_at = ?
		WHERE `+claimed+` FROM subscriptions WHERE variant_id = ? AND status = ? AND created_at <= ?
			ORDER BY created_at, id LIMIT ?`+end+`
		RETURNING id, shop_id, variant_id, email, phone, channels, awaiting, created_at`),
		stockbell.SubscriptionNotified, now, now, batch.VariantID, stockbell.SubscriptionQueued, batch.Cutoff, n)
	// RETURNING gives the rows in no set order.
	slices.SortFunc(subs, func(a, b claimedSubscription) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return subs, err
}

// finishChunk records the chunk and either queues the next one or closes the batch.
func finishChunk(ctx context.Context, tx *Tx, batch *stockbell.RestockBatch, chunk, claimed int, done bool) error {
	var doneAt *time.Time
	if done {
		now := tx.db.now()
		doneAt = &now
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE restock_batches SET claimed = claimed + ?, chunks = ?, done_at = ? WHERE id = ?`),
		claimed, chunk, doneAt, batch.ID)
	if err != nil || done {
		return err
	}
	return tx.insertJob(ctx, stockbell.RestockBatchJob{ShopID: batch.ShopID, BatchID: batch.ID, Chunk: chunk + 1}, nil)
}

// startFlow creates each claimed subscriber's first message, its job and a
// notified event; a message a manual flow holds gets a held event instead,
// and its subscriber is held (notified when the merchant approves).
func startFlow(ctx context.Context, tx *Tx, flow *stockbell.Flow, batch *stockbell.RestockBatch, subs []claimedSubscription) error {
	if len(subs) == 0 {
		return nil
	}
	now := tx.db.now()
	drafts := make([]messageDraft, 0, len(subs))
	for _, s := range subs {
		drafts = append(drafts, draftMessage(flow, s, 1, now))
	}
	ids, err := insertMessages(ctx, tx, drafts)
	if err != nil {
		return err
	}
	byKind := map[stockbell.EventKind][]eventRow{}
	for i, s := range subs {
		kind := stockbell.EventNotified
		if drafts[i].Status == stockbell.MessageHeld {
			kind = stockbell.EventHeld
		}
		byKind[kind] = append(byKind[kind], eventRow{ShopID: s.ShopID, Kind: kind, VariantID: s.VariantID, SubscriptionID: s.ID,
			Detail: EventDetail{"batch_id": batch.ID, "message_id": ids[i], "channel": drafts[i].Channel}})
	}
	if err := holdSubscriptions(ctx, tx, byKind[stockbell.EventHeld]); err != nil {
		return err
	}
	for _, kind := range []stockbell.EventKind{stockbell.EventHeld, stockbell.EventNotified} {
		if events := byKind[kind]; len(events) > 0 {
			if err := insertEvents(ctx, tx, events, now); err != nil {
				return err
			}
		}
	}
	return queueMessages(ctx, tx, drafts, ids)
}

// holdSubscriptions marks the subscribers of held events held, not yet
// notified: claimQueued marked them notified.
func holdSubscriptions(ctx context.Context, tx *Tx, held []eventRow) error {
	if len(held) == 0 {
		return nil
	}
	args := []any{stockbell.SubscriptionHeld}
	for _, e := range held {
		args = append(args, e.SubscriptionID)
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE subscriptions SET status = ?, notified_at = NULL
		WHERE id IN (`+placeholders(len(held))+`)`), args...)
	return err
}

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
