package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// smartSendingLockClass is the first key of the PostgreSQL advisory locks
// that serialise smart-sending leases per recipient (the second is a hash
// of the shop and the recipient). Locks of two keys never meet the
// one-key lock of migrations (migrationLockID).
const smartSendingLockClass = 0x5b5e

// advanceToSmartSending records a send step's outcomes and releases as
// any step's, then leases its next message, whose step has smart sending
// on, in a transaction of its own (see stockbell.SendStep).
func (db *DB) advanceToSmartSending(ctx context.Context, shopID int64, step stockbell.SendStep) (stockbell.SendStepResult, error) {
	next := step
	step.Begin, step.LeaseUntil, step.SmartSendingSince = 0, time.Time{}, time.Time{}
	if len(step.Finished) > 0 || len(step.Released) > 0 {
		if _, err := db.AdvanceSend(ctx, shopID, step); err != nil {
			return stockbell.SendStepResult{Outcome: stockbell.AttemptDone}, err
		}
	}
	var result stockbell.SendStepResult
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		result, err = beginSmartSending(ctx, tx, shopID, next)
		return err
	})
	return result, err
}

// beginSmartSending leases the step's next message unless the shop sent
// its recipient anything since the window's start (AttemptSmartSending)
// or another attempt is sending it something now (AttemptLeased, until
// that lease ends, after which the caller reads the message again). The
// check and the lease hold the recipient's lock, so two such leases to
// one recipient are taken one after the other, each seeing the other's
// (SQLite has one writer; PostgreSQL takes an advisory lock first, before
// any row lock, so that no other lock order meets it).
func beginSmartSending(ctx context.Context, tx *Tx, shopID int64, step stockbell.SendStep) (stockbell.SendStepResult, error) {
	var recipient string
	err := tx.GetContext(ctx, &recipient, tx.Rebind(`SELECT recipient FROM messages WHERE id = ? AND `+byIDsOfShop+` AND status = ?`),
		step.Begin, shopID, stockbell.MessagePending)
	if isNoRows(err) {
		return stockbell.SendStepResult{Outcome: stockbell.AttemptDone}, nil
	} else if err != nil {
		return stockbell.SendStepResult{Outcome: stockbell.AttemptDone}, err
	}
	if err := lockRecipient(ctx, tx, shopID, recipient); err != nil {
		return stockbell.SendStepResult{Outcome: stockbell.AttemptDone}, err
	}
	busy, err := recipientBusy(ctx, tx, shopID, recipient, step)
	if err != nil || busy.Outcome != stockbell.AttemptBegun {
		return busy, err
	}
	return beginAttempt(ctx, tx, shopID, step.Begin, step.LeaseUntil)
}

// lockRecipient takes the shop's recipient's smart-sending lock until the
// transaction ends; SQLite's one writer needs none.
func lockRecipient(ctx context.Context, tx *Tx, shopID int64, recipient string) error {
	if tx.db.Dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2::bigint::text || ':' || $3))`, smartSendingLockClass, shopID, recipient)
	return err
}

// recipientBusy answers AttemptSmartSending when another message to the
// recipient was sent within the window, AttemptLeased (held for the
// recipient) when one is being sent now, and AttemptBegun when neither.
func recipientBusy(ctx context.Context, tx *Tx, shopID int64, recipient string, step stockbell.SendStep) (stockbell.SendStepResult, error) {
	others := `FROM messages WHERE shop_id = ? AND recipient = ? AND id <> ?`
	var sent int
	err := tx.GetContext(ctx, &sent, tx.Rebind(`SELECT COUNT(*) `+others+` AND sent_at > ?`),
		shopID, recipient, step.Begin, step.SmartSendingSince.UTC().Truncate(time.Microsecond))
	if err != nil || sent > 0 {
		return stockbell.SendStepResult{Outcome: stockbell.AttemptSmartSending}, err
	}
	var leaseUntil time.Time
	err = tx.GetContext(ctx, &leaseUntil, tx.Rebind(`SELECT lease_until `+others+` AND status = ? AND lease_until > ?
		ORDER BY lease_until DESC LIMIT 1`), shopID, recipient, step.Begin, stockbell.MessagePending, tx.db.now())
	switch {
	case isNoRows(err):
		return stockbell.SendStepResult{Outcome: stockbell.AttemptBegun}, nil
	case err != nil:
		return stockbell.SendStepResult{Outcome: stockbell.AttemptDone}, err
	}
	return stockbell.SendStepResult{Outcome: stockbell.AttemptLeased, HeldUntil: leaseUntil.UTC(), HeldForRecipient: true}, nil
}
