package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// advanceSend records a send step's outcomes and releases and begins its
// next attempt in tx (see DB.AdvanceSend). On PostgreSQL each outcome is
// one statement with its event, and the last one also leases the next
// message when it is free (the usual case); SQLite, where a statement
// costs no round trip and its preparation is cached, runs them one by one.
func advanceSend(ctx context.Context, tx *Tx, shopID int64, step stockbell.SendStep) (stockbell.SendStepResult, error) {
	result := stockbell.SendStepResult{Outcome: stockbell.AttemptDone}
	leased := false
	for i, r := range step.Finished {
		r.ShopID = shopID
		var lease *nextLease
		if i == len(step.Finished)-1 && len(step.Released) == 0 && step.Begin != 0 {
			lease = &nextLease{messageID: step.Begin, until: step.LeaseUntil}
		}
		var err error
		if leased, err = finishStep(ctx, tx, r, lease); err != nil {
			return result, err
		}
	}
	for _, r := range step.Released {
		if err := releaseAttempt(ctx, tx, shopID, r); err != nil {
			return result, err
		}
	}
	if step.Begin == 0 {
		return result, nil
	}
	if leased {
		result.Outcome = stockbell.AttemptBegun
		return result, nil
	}
	var err error
	result.Outcome, result.HeldUntil, err = beginAttempt(ctx, tx, shopID, step.Begin, step.LeaseUntil)
	return result, err
}

// nextLease is the attempt a send step begins after its outcomes.
type nextLease struct {
	messageID int64
	until     time.Time
}

// finishStep records a pending message's outcome and, when lease is
// given, leases that message if no attempt holds it. It reports whether
// it leased; if not, the caller begins the attempt with beginAttempt,
// which also handles a lease held or run out.
func finishStep(ctx context.Context, tx *Tx, r stockbell.MessageResult, lease *nextLease) (bool, error) {
	if tx.db.Dialect != Postgres {
		_, err := finishMessage(ctx, tx, r, stockbell.MessagePending)
		return false, err
	}
	return finishAndLeasePostgres(ctx, tx, r, lease)
}

// finishAndLeaseQuery changes the message, inserts its outcome's event
// and leases the next message (id 0: none) in one statement, one round
// trip instead of three. The event's detail is written as encoding/json
// writes an EventDetail (keys in order, no spaces): the columns the
// update returns around the fields the caller marshalled. "shop_id + 0"
// is byIDsOfShop: each row is found by its primary key.
const finishAndLeaseQuery = `WITH done AS (
	UPDATE messages SET status = $1, provider_id = $2, segments = $3, error = $4, sent_at = $5, lease_until = NULL
	WHERE id = $6 AND shop_id + 0 = $7 AND status = $8
	RETURNING id, shop_id, subscription_id, step, channel, attempts
), event AS (
	INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
	SELECT s.shop_id, $9, s.variant_id, s.id,
		'{"attempts":' || done.attempts || ',"channel":' || to_json(done.channel)::text || $10::text || ',"step":' || done.step || '}', $11
	FROM done JOIN subscriptions s ON s.id = done.subscription_id AND s.shop_id = done.shop_id
), lease AS (
	UPDATE messages SET attempts = attempts + 1, lease_until = $12
	WHERE id = $13 AND shop_id + 0 = $7 AND status = $8 AND lease_until IS NULL
	RETURNING id
)
SELECT (SELECT step FROM done), (SELECT subscription_id FROM done), EXISTS (SELECT 1 FROM lease)`

func finishAndLeasePostgres(ctx context.Context, tx *Tx, r stockbell.MessageResult, lease *nextLease) (bool, error) {
	kind, err := outcomeEventKind(r.Status)
	if err != nil {
		return false, err
	}
	middle, err := outcomeDetailMiddle(r)
	if err != nil {
		return false, err
	}
	now := tx.db.now()
	var sentAt *time.Time
	if r.Status == stockbell.MessageSent {
		sentAt = &now
	}
	var nextID int64
	var leaseUntil *time.Time
	if lease != nil {
		until := lease.until.UTC().Truncate(time.Microsecond)
		nextID, leaseUntil = lease.messageID, &until
	}
	var step, subscriptionID sql.NullInt64
	var leased bool
	err = tx.QueryRowxContext(ctx, finishAndLeaseQuery, r.Status, r.ProviderID, r.Segments, r.Reason, sentAt, r.MessageID, r.ShopID,
		stockbell.MessagePending, kind, middle, now, leaseUntil, nextID).Scan(&step, &subscriptionID, &leased)
	if err != nil || !step.Valid || r.StopFlow {
		return leased, err
	}
	m := &stockbell.Message{ID: r.MessageID, ShopID: r.ShopID, SubscriptionID: subscriptionID.Int64, Step: int(step.Int64)}
	return leased, continueFlow(ctx, tx, m)
}

// outcomeDetailMiddle is the part of an outcome event's detail the
// result alone gives, marshalled as it sits between "channel" and "step"
// in the whole detail: `,"message_id":1,"reason":"…"`. The keys of
// outcomeDetail all sort there.
func outcomeDetailMiddle(r stockbell.MessageResult) (string, error) {
	detail := outcomeDetail(r)
	detail["message_id"] = r.MessageID
	raw, err := json.Marshal(detail)
	if err != nil {
		return "", err
	}
	return "," + string(raw[1:len(raw)-1]), nil
}
