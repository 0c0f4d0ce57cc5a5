package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// sendStepWrite is one sending worker's step in a group transaction on
// PostgreSQL. The batch records the outcomes of all its steps and takes
// their next leases in one statement (advanceSendSteps) and follows their
// outcomes (followOutcomes: a flow's next message, a subscriber queued
// again) before any write's function runs; each step's function (finish)
// then does what is left: releases, and a lease the statement could not
// take. A step alone was a statement per outcome, one
// round trip each on the group writer's connection while the batch's other
// steps waited: with ten workers, 4.8 steps a batch at 0.24 ms a statement
// (bench: BenchmarkRestockMail).
type sendStepWrite struct {
	shopID int64
	step   stockbell.SendStep
	// Set by advanceSendSteps, afresh at each run of the batch.
	recorded []recordedOutcome // one per step.Finished, in order
	leased   bool
	attempt  int               // the attempt leased, when leased
	channel  stockbell.Channel // the channel of the message leased
}

// recordedOutcome is what advanceSendSteps learnt of one outcome: whether
// it was recorded (the message was pending) and the message's subscription
// and flow step.
type recordedOutcome struct {
	recorded       bool
	subscriptionID int64
	step           int
}

// advanceSendStep records a send step's outcomes and begins its next
// attempt in a group transaction on PostgreSQL (see DB.AdvanceSend).
func (db *DB) advanceSendStep(ctx context.Context, shopID int64, step stockbell.SendStep) (stockbell.SendStepResult, error) {
	var result stockbell.SendStepResult
	write := &sendStepWrite{shopID: shopID, step: step}
	err := db.group.doWrite(ctx, &groupWrite{send: write, fn: func(ctx context.Context, tx *Tx) (err error) {
		result, err = write.finish(ctx, tx)
		return err
	}})
	return result, err
}

// advanceSendStepsQuery records outcomes (each a pending message's, with
// its event) and takes leases (each a pending message no attempt holds,
// of a subscription still notified at a shop still installed, a text's
// still with SMS (sendableOf), and none the same statement finishes) in
// one statement. An outcome is recorded only for the attempt holding the
// lease, as finishMessage's (heldBy); a leased row returns the attempt's
// number in the third column and its channel in the fourth. The events'
// detail is written as encoding/json writes an EventDetail (keys in
// order, no spaces): the columns the update returns around the fields the
// caller marshalled ("middle"). "shop_id + 0" is byIDsOfShop: each row is
// found by its primary key.
//
// The statement's rows are locked first, all in id order (locked), as
// StopSMS and an erasure lock several messages, with the messages the
// steps' functions write after it ("also": a step's released attempts and
// the message it then begins, see lockedRows): each update waits for the
// count of locked rows, which PostgreSQL computes once (an InitPlan)
// before the update's first row, and so reads the lock to its end. The
// updates alone lock rows in the order their plan finds them, outcomes
// before leases, and a statement holding a higher id and waiting for a
// lower could meet a STOP holding the lower and waiting for the higher.
// Each update still finds its rows by key, driven by its set.
var advanceSendStepsQuery = `WITH %s, %s, %s, locked AS MATERIALIZED (
	SELECT id FROM messages WHERE (id, shop_id + 0) IN (SELECT id, shop_id FROM outcome UNION SELECT id, shop_id FROM lease
		UNION SELECT id, shop_id FROM also)
	ORDER BY id FOR UPDATE
), done AS (
	UPDATE messages m SET status = o.status, provider_id = o.provider_id, segments = o.segments, error = o.error,
		sent_at = CASE WHEN o.sent THEN CAST(? AS TIMESTAMPTZ) END, lease_until = NULL
	FROM outcome o WHERE m.id = o.id AND m.shop_id + 0 = o.shop_id AND m.status = ?
		AND (SELECT COUNT(*) FROM locked) > 0 AND (o.attempt = 0 OR m.attempts = o.attempt)
	RETURNING m.id, m.shop_id, m.subscription_id, m.step, m.channel, m.attempts, o.kind, o.middle
), event AS (
	INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
	SELECT s.shop_id, done.kind, s.variant_id, s.id,
		'{"attempts":' || done.attempts || ',"channel":' || to_json(done.channel)::text || done.middle || ',"step":' || done.step || '}',
		CAST(? AS TIMESTAMPTZ)
	FROM done JOIN subscriptions s ON s.id = done.subscription_id AND s.shop_id = done.shop_id
), leased AS (
	UPDATE messages m SET attempts = m.attempts + 1, lease_until = l.until
	FROM lease l WHERE m.id = l.id AND m.shop_id + 0 = l.shop_id AND m.status = ? AND m.lease_until IS NULL
		AND (SELECT COUNT(*) FROM locked) > 0
		AND m.id NOT IN (SELECT id FROM outcome)
		AND ` + sendableOf("m") + `
	RETURNING m.id, m.attempts, m.channel
)
SELECT id, step, subscription_id, '' AS channel FROM done UNION ALL SELECT id, -1, attempts, channel FROM leased`

// advanceSendSteps runs advanceSendStepsQuery for the batch's steps and
// tells each step what it did. A message two steps of the batch would
// lease is leased for the first only; the other's finish finds it held.
func advanceSendSteps(ctx context.Context, tx *Tx, steps []*sendStepWrite) error {
	if len(steps) == 0 {
		return nil
	}
	var o outcomeRows
	var l leaseRows
	var alsoLocked lockedRows
	leasing := map[int64]bool{}
	for _, s := range steps {
		s.recorded, s.leased, s.attempt, s.channel = make([]recordedOutcome, len(s.step.Finished)), false, 0, ""
		for _, r := range s.step.Finished {
			if err := o.add(s.shopID, r); err != nil {
				return err
			}
		}
		switch {
		case len(s.step.Released) > 0:
			alsoLocked.add(s)
		case s.step.Begin != 0 && !leasing[s.step.Begin]:
			leasing[s.step.Begin] = true
			l.add(s.shopID, s.step.Begin, s.step.LeaseUntil)
		}
	}
	if len(o.ids) == 0 && len(l.ids) == 0 && len(alsoLocked.ids) < 2 {
		return nil // a release, or held leases, only: finish does them
	}
	outcomes, outcomeArgs := o.set().plannedOnce().clause(Postgres, 0, len(o.ids))
	leases, leaseArgs := l.set().plannedOnce().clause(Postgres, 0, len(l.ids))
	also, alsoArgs := alsoLocked.set().plannedOnce().clause(Postgres, 0, len(alsoLocked.ids))
	now := tx.db.now()
	args := append(append(append(outcomeArgs, leaseArgs...), alsoArgs...), now, stockbell.MessagePending, now, stockbell.MessagePending)
	rows, err := tx.QueryxContext(ctx, tx.Rebind(fmt.Sprintf(advanceSendStepsQuery, outcomes, leases, also)), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	recorded, leased := map[int64]recordedOutcome{}, map[int64]stockbell.SendStepResult{}
	for rows.Next() {
		var id, step, subscriptionID int64
		var channel stockbell.Channel
		if err := rows.Scan(&id, &step, &subscriptionID, &channel); err != nil {
			return err
		}
		if step < 0 {
			leased[id] = stockbell.SendStepResult{Attempt: int(subscriptionID), Channel: channel} // the attempt's number
		} else {
			recorded[id] = recordedOutcome{recorded: true, subscriptionID: subscriptionID, step: int(step)}
		}
	}
	// Close reads to the statement's end: outside a transaction (a plain
	// batch) that is its commit, whose failure must not pass for success.
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range steps {
		for i, r := range s.step.Finished {
			s.recorded[i] = recorded[r.MessageID]
		}
		if lease := leased[s.step.Begin]; s.step.Begin != 0 && lease.Attempt > 0 {
			s.leased, s.attempt, s.channel = true, lease.Attempt, lease.Channel
			delete(leased, s.step.Begin) // the first step asking has it
		}
	}
	return nil
}

// requeuedVariants returns, on PostgreSQL, the variants of the
// subscribers whose recorded outcomes put them back in the queue (each
// step's requeueSubscriber then takes its variant's key-share lock), read
// unlocked, for the batch to lock them in id order first
// (lockBatchVariants). A batch without such an outcome runs no statement.
func requeuedVariants(ctx context.Context, tx *Tx, steps []*sendStepWrite) ([]int64, error) {
	var subs []int64
	for _, s := range steps {
		for i, r := range s.step.Finished {
			if r.Requeue && s.recorded[i].recorded {
				subs = append(subs, s.recorded[i].subscriptionID)
			}
		}
	}
	if len(subs) == 0 || tx.forKeyShareOf("variants") == "" {
		return nil, nil
	}
	var variants []int64
	err := tx.SelectContext(ctx, &variants, tx.Rebind(`SELECT variant_id FROM subscriptions WHERE id IN (`+placeholders(len(subs))+`)`),
		int64Args(subs)...)
	return variants, err
}

// plain reports whether all the step asks of its transaction, besides
// advanceSendSteps' statement, is at most its next lease: no released
// attempt, and no outcome after which the flow goes on or its subscriber
// is queued again (followOutcome's writes must commit with the outcome).
func (s *sendStepWrite) plain() bool {
	if len(s.step.Released) > 0 {
		return false
	}
	for _, r := range s.step.Finished {
		if !r.StopFlow || r.Requeue {
			return false
		}
	}
	return true
}

// followOutcomes does what each outcome advanceSendSteps recorded leads
// to (followOutcome: the flow's next message, or its subscriber queued
// again), for all the batch's steps, in their subscriptions' id order
// (one subscription's outcomes in the order they came). Each takes its
// subscription's lock (continueFlow's key share, a requeue's update), and
// StopSMS and an erasure lock several subscriptions for update in id
// order: followed step by step, in the order the workers' steps came, the
// batch could hold a subscription such a transaction waits for while it
// waits for another that transaction holds.
func followOutcomes(ctx context.Context, tx *Tx, steps []*sendStepWrite) error {
	type outcome struct {
		message *stockbell.Message
		result  stockbell.MessageResult
	}
	var recorded []outcome
	for _, s := range steps {
		for i, r := range s.step.Finished {
			if done := s.recorded[i]; done.recorded {
				m := &stockbell.Message{ID: r.MessageID, ShopID: s.shopID, SubscriptionID: done.subscriptionID, Step: done.step}
				recorded = append(recorded, outcome{m, r})
			}
		}
	}
	slices.SortStableFunc(recorded, func(a, b outcome) int { return cmp.Compare(a.message.SubscriptionID, b.message.SubscriptionID) })
	for _, o := range recorded {
		if err := followOutcome(ctx, tx, o.message, o.result); err != nil {
			return err
		}
	}
	return nil
}

// finish does what advanceSendSteps and followOutcomes left of the step,
// in its order: the released attempts are released, and the next message
// is leased if the statement did not lease it (held, run out, gone, its
// shop uninstalled or its subscription left: beginAttempt says which).
func (s *sendStepWrite) finish(ctx context.Context, tx *Tx) (stockbell.SendStepResult, error) {
	result := stockbell.SendStepResult{Outcome: stockbell.AttemptDone}
	for _, r := range s.step.Released {
		if err := releaseAttempt(ctx, tx, s.shopID, r); err != nil {
			return result, err
		}
	}
	if s.step.Begin == 0 {
		return result, nil
	}
	if s.leased {
		result.Outcome, result.Attempt, result.Channel = stockbell.AttemptBegun, s.attempt, s.channel
		return result, nil
	}
	return beginAttempt(ctx, tx, s.shopID, s.step.Begin, s.step.LeaseUntil)
}

// outcomeRows are the outcomes of a batch's steps, as advanceSendStepsQuery
// reads them.
type outcomeRows struct {
	ids, shops, segments, attempts            []int64
	statuses, providers, errs, kinds, middles []string
	sent                                      []bool
}

func (o *outcomeRows) add(shopID int64, r stockbell.MessageResult) error {
	kind, err := outcomeEventKind(r.Status)
	if err != nil {
		return err
	}
	middle, err := outcomeDetailMiddle(r)
	if err != nil {
		return err
	}
	o.ids, o.shops, o.segments = append(o.ids, r.MessageID), append(o.shops, shopID), append(o.segments, int64(r.Segments))
	o.statuses, o.providers, o.errs = append(o.statuses, string(r.Status)), append(o.providers, r.ProviderID), append(o.errs, r.Reason)
	o.kinds, o.middles = append(o.kinds, string(kind)), append(o.middles, middle)
	o.sent = append(o.sent, r.Status == stockbell.MessageSent)
	o.attempts = append(o.attempts, int64(leaseHolder(r)))
	return nil
}

func (o *outcomeRows) set() *rowSet {
	return newRowSet("outcome").int64s("id", o.ids).int64s("shop_id", o.shops).texts("status", o.statuses).
		texts("provider_id", o.providers).int64s("segments", o.segments).texts("error", o.errs).bools("sent", o.sent).
		texts("kind", o.kinds).texts("middle", o.middles).int64s("attempt", o.attempts)
}

// leaseRows are the leases a batch's steps ask for.
type leaseRows struct {
	ids, shops []int64
	until      []time.Time
}

func (l *leaseRows) add(shopID, messageID int64, until time.Time) {
	l.ids, l.shops = append(l.ids, messageID), append(l.shops, shopID)
	l.until = append(l.until, until.UTC().Truncate(time.Microsecond))
}

func (l *leaseRows) set() *rowSet {
	return newRowSet("lease").int64s("id", l.ids).int64s("shop_id", l.shops).times("until", l.until)
}

// lockedRows are the messages a batch's steps write after its statement
// (a step's released attempts, releaseAttempt, and the message it then
// begins, beginAttempt), for the statement to lock them with its own in
// id order: written by the steps' functions, after the subscriptions
// their outcomes lock (followOutcomes), they would be locked out of
// order, and after a subscription, which StopSMS and an erasure lock
// after their messages.
type lockedRows struct {
	ids, shops []int64
}

// add adds the step's released attempts and the message it begins.
func (r *lockedRows) add(s *sendStepWrite) {
	for _, release := range s.step.Released {
		r.ids, r.shops = append(r.ids, release.MessageID), append(r.shops, s.shopID)
	}
	if s.step.Begin != 0 {
		r.ids, r.shops = append(r.ids, s.step.Begin), append(r.shops, s.shopID)
	}
}

func (r *lockedRows) set() *rowSet {
	return newRowSet("also").int64s("id", r.ids).int64s("shop_id", r.shops)
}
