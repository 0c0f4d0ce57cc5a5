package store

import (
	"context"
	"errors"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// maxBatch bounds how many requests' writes one group transaction holds.
const maxBatch = 256

// errClosed answers writes submitted after Close.
var errClosed = errors.New("store: database closed")

// groupCommit gathers the writes of concurrent requests into shared
// transactions. A writer goroutine (groupWriters of them) takes whatever
// requests have queued while its previous batch committed (at most
// maxBatch), runs each one's function in one transaction, inserts their
// plain jobs in one statement and commits; each request is answered only
// after its batch commits. When a batch fails, each of its requests is run
// again in a transaction of its own, so a failure fails only the request
// that causes it. Under no load a batch holds one request and adds no
// waiting; under load a writer that finds only a few requests queued may
// wait a moment for more (see gather).
type groupCommit struct {
	db *DB
	// writers is how many batches may commit at once.
	writers int
	// linger bounds how long a writer waits for more requests (gather).
	linger time.Duration
	reqs   chan *groupWrite
	quit   chan struct{}
	done   chan struct{}
	start  sync.Once
	stop   sync.Once
}

// groupWrite is one request's part of a batch.
type groupWrite struct {
	fn func(ctx context.Context, tx *Tx) error
	// sub, when set, is a new subscription that the batch inserts with the
	// others before any fn runs (insertQueuedSubscriptions).
	sub *subscriptionWrite
	// receipt, when set, is a webhook receipt that the batch inserts with
	// the others before any fn runs (insertReceipts).
	receipt *receiptWrite
	// send, when set, is a sending worker's step (PostgreSQL only), whose
	// outcomes and lease the batch records with the others' in one
	// statement before any fn runs (advanceSendSteps).
	send *sendStepWrite
	done chan error
}

func newGroupCommit(db *DB, writers int) *groupCommit {
	return &groupCommit{db: db, writers: writers, linger: groupLinger, reqs: make(chan *groupWrite, maxBatch),
		quit: make(chan struct{}), done: make(chan struct{})}
}

// groupWriters is how many group transactions run at once: one, on both
// dialects. SQLite has one writer whatever the process does. On
// PostgreSQL a statement is one round trip (pgx's driver keeps statements
// prepared), and the fewer the writers the more requests each batch
// gathers: with 32 concurrent storefront posts, one writer made PostgreSQL
// spend 0.06 ms of CPU a post against 0.08 with two and 0.14 with four (a
// commit and its WAL flush per batch), and three replicas on one database
// kept 0.75 of one replica's rate against 0.57 with four (bench:
// BenchmarkStorefrontSubscribe, BenchmarkReplicas, BenchmarkWebhookAccept,
// BenchmarkRestockMail). A batch waiting on a row lock holds the process's
// next batch until it commits; the store's transactions hold their locks
// for a few statements only.
const groupWriters = 1

// do runs fn in a group transaction and returns once that transaction
// committed (nil) or fn's own transaction failed (its error). fn gets the
// writer's context, not ctx: one request's cancellation must not fail the
// others. fn may run twice (once in the batch, once alone); it must set its
// results afresh each time. If ctx ends first do returns ctx's error; the
// write may still commit.
func (g *groupCommit) do(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return g.doWrite(ctx, &groupWrite{fn: fn})
}

// doWrite is do for a write that may carry a new subscription or a
// receipt: the batch inserts those before any fn runs, and w.fn reads
// whether its own was inserted.
func (g *groupCommit) doWrite(ctx context.Context, w *groupWrite) error {
	g.start.Do(g.startWriters)
	w.done = make(chan error, 1)
	select {
	case <-g.quit:
		return errClosed
	default:
	}
	select {
	case g.reqs <- w:
	case <-g.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-w.done:
		return err
	case <-g.done:
		select {
		case err := <-w.done:
			return err
		default:
			return errClosed
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops the writer after the batch it is committing; requests still
// queued fail with errClosed.
func (g *groupCommit) close() {
	g.stop.Do(func() {
		close(g.quit)
		g.start.Do(func() { close(g.done) })
		<-g.done
	})
}

// startWriters starts the writer goroutines; done closes once all ended.
func (g *groupCommit) startWriters() {
	var wg sync.WaitGroup
	for range g.writers {
		wg.Go(g.run)
	}
	go func() {
		wg.Wait()
		close(g.done)
	}()
}

func (g *groupCommit) run() {
	batch := make([]*groupWrite, 0, maxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	previous := 0
	for {
		select {
		case <-g.quit:
			g.failQueued()
			return
		case w := <-g.reqs:
			batch = g.gather(append(batch[:0], w), previous, timer)
		}
		previous = len(batch)
		g.commit(batch)
	}
}

// groupLinger is how long a writer waits for more requests when it found
// fewer than half as many queued as its previous batch held (gather).
// Measured with 32 concurrent storefront posts on SQLite
// (BenchmarkStorefrontSubscribe): without waiting, half the batches held a
// single post (its answer and the next posts were still on their way back
// through HTTP while the previous, larger batch committed) and a batch
// averaged 5 posts; with 200 µs, 7.5, and the posts ran about 9% faster on
// 8% less CPU (150 to 250 µs: 9 to 18% faster; docs/BENCHMARKS.md). A
// commit writes each page the batch changed (the table's and every
// index's) to the WAL, so fewer, larger batches write fewer pages per post.
const groupLinger = 200 * time.Microsecond

// gather adds to batch the requests already queued and, when those are
// fewer than half of the previous batch, waits up to g.linger for more,
// until the batch is as large as the previous one. A previous batch of
// one (no concurrency) never waits, so a lone request is not delayed; a
// burst that ends costs its last batches at most g.linger each. timer is
// the writer's, stopped; gather leaves it stopped.
func (g *groupCommit) gather(batch []*groupWrite, previous int, timer *time.Timer) []*groupWrite {
	batch = g.takeQueued(batch)
	if 2*len(batch) >= previous || len(batch) >= maxBatch {
		return batch
	}
	return g.waitForMore(batch, previous, timer)
}

// waitForMore adds requests as they come, for up to g.linger, until the
// batch is as large as the previous one.
func (g *groupCommit) waitForMore(batch []*groupWrite, previous int, timer *time.Timer) []*groupWrite {
	timer.Reset(g.linger)
	defer timer.Stop()
	for len(batch) < previous && len(batch) < maxBatch {
		select {
		case w := <-g.reqs:
			batch = append(batch, w)
		case <-timer.C:
			return batch
		}
	}
	return batch
}

// takeQueued adds to batch the requests queued now, without waiting.
func (g *groupCommit) takeQueued(batch []*groupWrite) []*groupWrite {
	for len(batch) < maxBatch {
		select {
		case w := <-g.reqs:
			batch = append(batch, w)
		default:
			return batch
		}
	}
	return batch
}

func (g *groupCommit) failQueued() {
	for {
		select {
		case w := <-g.reqs:
			w.done <- errClosed
		default:
			return
		}
	}
}

// commit runs the batch in one transaction; if that fails, each write alone.
func (g *groupCommit) commit(batch []*groupWrite) {
	ctx := context.Background()
	if batch = g.commitPlain(ctx, batch); len(batch) == 0 {
		return
	}
	var err error
	if plainSendSteps(g.db, batch) {
		err = runWrites(ctx, &Tx{queryer: g.db.DB, db: g.db}, batch)
	} else {
		err = g.db.inGroupTx(ctx, func(ctx context.Context, tx *Tx) error { return runWrites(ctx, tx, batch) })
	}
	if err == nil || len(batch) == 1 {
		for _, w := range batch {
			w.done <- w.answer(err)
		}
		return
	}
	for i, w := range batch {
		alone := batch[i : i+1]
		w.done <- w.answer(g.db.inGroupTx(ctx, func(ctx context.Context, tx *Tx) error { return runWrites(ctx, tx, alone) }))
	}
}

// answer is the write's outcome once its batch ended with err: a receipt
// whose shop was found gone is answered ENOTFOUND while the batch's other
// writes commit.
func (w *groupWrite) answer(err error) error {
	if w.receipt != nil {
		return w.receipt.outcome(err)
	}
	return err
}

// commitPlain stores a batch's webhook receipts and new contacts' posts
// on PostgreSQL in a statement per kind that commits on its own
// (insertPlainReceipts, insertPlainSubscriptions) rather than in BEGIN,
// the statements and COMMIT: two round trips fewer per batch, of the
// writer every request waits on. Three replicas, whose writers each gather
// a third of the requests, pay them three times as often (bench:
// BenchmarkReplicas). A batch's requests are independent of each other, so
// each statement's commit answers its own. It answers the writes stored,
// and the receipts whose shop it found gone (insertWithoutGoneShops), and
// returns the others, for a transaction: the batch's other writes
// (send steps), a receipt seen before, a post that is not a new contact's
// on a sold-out variant of a shop without outbound webhooks or whose
// contact posted before in the batch, and every write of a statement that
// failed (it stored none).
func (g *groupCommit) commitPlain(ctx context.Context, batch []*groupWrite) (rest []*groupWrite) {
	receipts, subs := plainWrites(g.db, batch)
	if len(receipts) == 0 && len(subs) == 0 {
		return batch
	}
	// A statement that fails stores none of its writes, which the
	// transaction then runs again and answers with its own outcome.
	tx := &Tx{queryer: g.db.DB, db: g.db}
	if len(receipts) > 0 {
		_ = insertPlainReceipts(ctx, tx, receipts)
	}
	if len(subs) > 0 {
		_ = insertPlainSubscriptions(ctx, tx, subs)
	}
	for _, w := range batch {
		if (w.receipt == nil || !w.receipt.inserted && !w.receipt.shopGone) && (w.sub == nil || w.sub.inserted == nil) {
			rest = append(rest, w)
			continue
		}
		w.done <- w.answer(w.fn(ctx, tx)) // takes what was stored; runs no statement
	}
	return rest
}

// plainWrites returns the writes of a PostgreSQL batch that commitPlain
// stores: every receipt, and the posts that are direct, the first of each
// contact. It clears every write's inserted, since a batch may run again.
func plainWrites(db *DB, batch []*groupWrite) (receipts []*receiptWrite, subs []*subscriptionWrite) {
	if db.Dialect != Postgres {
		return nil, nil
	}
	seen := map[subscriptionKey]bool{}
	for _, w := range batch {
		switch {
		case w.receipt != nil:
			w.receipt.inserted = false
			receipts = append(receipts, w.receipt)
		case w.sub != nil:
			w.sub.inserted = nil
			k := subscriptionKey{w.sub.create.VariantID, w.sub.create.Email, w.sub.create.Phone}
			if w.sub.direct && !seen[k] {
				seen[k] = true
				subs = append(subs, w.sub)
			}
		}
	}
	return receipts, subs
}

// plainSendSteps reports whether the batch is PostgreSQL send steps alone,
// each plain (sendStepWrite.plain): then its one statement
// (advanceSendSteps) commits on its own, without BEGIN and COMMIT, two
// round trips of the group writer's that the sending workers waited on
// (0.75 ms of a 1.4 ms batch of 4.7 steps with ten workers; bench:
// BenchmarkRestockMail). A step whose next message the statement could not
// lease then begins its attempt in statements of its own (beginAttempt),
// after its outcomes committed, as a step without outcomes would. If the
// batch fails after its statement committed (a later beginAttempt's
// error), each write runs again alone in a transaction: an outcome already
// recorded is not recorded twice (only a pending message takes one), and a
// lease the statement took is found held, so that step's job waits out
// the lease and then sends the message, flagged as a possible repeat
// although it was never handed over.
func plainSendSteps(db *DB, batch []*groupWrite) bool {
	if db.Dialect != Postgres {
		return false
	}
	for _, w := range batch {
		if w.send == nil || w.sub != nil || w.receipt != nil || !w.send.plain() {
			return false
		}
	}
	return true
}

// runWrites runs a batch's writes in tx: the receipts' and the new
// subscriptions' rows and the send steps first, one statement each (the
// variants of the subscriptions and of the subscribers the steps requeue
// locked in id order before the subscriptions' insert, lockBatchVariants),
// then what the steps' outcomes lead to, in subscription id order
// (followOutcomes), then each write's function in turn.
func runWrites(ctx context.Context, tx *Tx, writes []*groupWrite) error {
	var subs []*subscriptionWrite
	var receipts []*receiptWrite
	var steps []*sendStepWrite
	for _, w := range writes {
		if w.sub != nil {
			subs = append(subs, w.sub)
		}
		if w.receipt != nil {
			receipts = append(receipts, w.receipt)
		}
		if w.send != nil {
			steps = append(steps, w.send)
		}
	}
	if err := advanceSendSteps(ctx, tx, steps); err != nil {
		return err
	}
	if err := insertReceipts(ctx, tx, receipts); err != nil {
		return err
	}
	requeued, err := requeuedVariants(ctx, tx, steps)
	if err != nil {
		return err
	}
	if err := lockBatchVariants(ctx, tx, subs, requeued); err != nil {
		return err
	}
	if err := insertQueuedSubscriptions(ctx, tx, subs); err != nil {
		return err
	}
	if err := followOutcomes(ctx, tx, steps); err != nil {
		return err
	}
	for _, w := range writes {
		if err := w.fn(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// inWriteTx runs a write that is not a request's on SQLite through the
// group-commit writer, so that it takes its turn with the requests' writes
// instead of competing for SQLite's single write lock (a writer that finds
// it taken sleeps in SQLite's busy handler, 1 ms, then 2, 5, 10 …, which
// shows in the requests' latency); on PostgreSQL it is a transaction of its
// own. fn may run twice (see groupCommit.do).
func (db *DB) inWriteTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if db.Dialect == Postgres {
		return db.inTx(ctx, func(tx *Tx) error { return fn(ctx, tx) })
	}
	return db.group.do(ctx, fn)
}

// inGroupTx is inTx where the jobs inserted without options are gathered
// and inserted in one statement before the commit.
func (db *DB) inGroupTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return db.inTx(ctx, func(tx *Tx) error {
		tx.pendingJobs = []stockbell.JobArgs{}
		if err := fn(ctx, tx); err != nil {
			return err
		}
		jobs := tx.pendingJobs
		tx.pendingJobs = nil
		if len(jobs) == 0 {
			return nil
		}
		return tx.insertJobs(ctx, jobs, nil)
	})
}
