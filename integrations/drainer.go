package integrations

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// The drainer's defaults, which the server ships with.
const (
	// DefaultBatch is how many receipts one claim takes.
	DefaultBatch = 256
	// DefaultWorkers is how many receipts of a batch (or parts of it
	// processed together, one per platform) are processed at once.
	DefaultWorkers = 4
	// DefaultPoll is how often an idle drainer looks for receipts it was not
	// woken for: those stored by another replica, retries that came due,
	// and those whose claimer died (once their lease ended).
	DefaultPoll = time.Second
	// DefaultLease is how long a claim holds its receipts. A receipt is
	// started only in the first half of its lease, and one not started by
	// then is released, so no other claim takes a receipt being processed.
	DefaultLease = 5 * time.Minute
	// DefaultGather is how long a drainer woken by a new receipt waits for
	// others before it claims: a burst of webhooks is then claimed in
	// batches of many, processed together for little more than a few,
	// rather than a receipt or two at a time. It delays a receipt's
	// processing by at most this much.
	DefaultGather = 50 * time.Millisecond
	// maxBackoff bounds the wait before a failed receipt is tried again.
	maxBackoff = time.Hour
	// markEvery is how often the receipts done so far in a batch still
	// being processed are marked processed. A claim takes up to Batch
	// receipts, which during a burst of webhooks on PostgreSQL take a
	// second or more; marked only at the batch's end, none of them would
	// count as processed meanwhile, and a drainer that died would leave
	// them all to be processed again. A marking is one statement.
	markEvery = 100 * time.Millisecond
)

// Drainer processes the stored receipts in batches: it claims many pending
// receipts at once (ReceiptQueue.ClaimReceipts), runs each one's platform
// processor through the registry, a few at a time (or all of a platform's
// at once, for a BatchReceiptProcessor), and marks the receipts
// done processed, one statement for those done in each markEvery and at
// the batch's end. A receipt whose processor fails is tried
// again later, after a backoff growing with its attempts. It wakes when
// this process stores a receipt and, failing that, every Poll.
//
// Processing is at least once, as with jobs: a drainer that dies between
// processing a receipt and marking it leaves it to be claimed again when
// its lease ends, and the processors apply a change they have seen as a
// duplicate (stockbell.DecideStockChange).
type Drainer struct {
	Registry *Registry
	Logger   *slog.Logger
	// Batch, Workers, Poll and Lease default to the constants above.
	Batch   int
	Workers int
	Poll    time.Duration
	Lease   time.Duration
	// Gather defaults to DefaultGather.
	Gather time.Duration
	// Clock times a claim's start-by (the first half of its lease);
	// the system clock when nil.
	Clock stockbell.Clock

	stop    chan struct{}
	stopped chan struct{}
	cancel  context.CancelFunc
	once    sync.Once
	unsaved unsaved
	// saving makes one save at a time: the periodic marking of a batch
	// and the one after it.
	saving sync.Mutex
}

// unsaved is the bookkeeping a drain could not store because the
// database was away: receipts processed but not marked, failed ones not
// released. It is stored again before the next claim, so that an outage
// delays those receipts by a poll rather than by their lease (a receipt
// processed and not marked would otherwise also be processed again).
type unsaved struct {
	mu        sync.Mutex
	processed []int64
	retries   []pendingRetry
}

// add records a receipt processed and not yet marked.
func (u *unsaved) add(id int64) {
	u.mu.Lock()
	u.processed = append(u.processed, id)
	u.mu.Unlock()
}

// take empties the bookkeeping and returns what it held.
func (u *unsaved) take() (processed []int64, retries []pendingRetry) {
	u.mu.Lock()
	defer u.mu.Unlock()
	processed, retries = u.processed, u.retries
	u.processed, u.retries = nil, nil
	return processed, retries
}

// restore puts back bookkeeping that could not be stored.
func (u *unsaved) restore(processed []int64, retries []pendingRetry) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.processed = append(u.processed, processed...)
	u.retries = append(u.retries, retries...)
}

type pendingRetry struct {
	id     int64
	after  time.Duration
	reason string
}

// Start runs the drainer until Stop.
func (d *Drainer) Start() {
	d.stop, d.stopped = make(chan struct{}), make(chan struct{})
	var ctx context.Context
	ctx, d.cancel = context.WithCancel(context.Background())
	go func() {
		defer close(d.stopped)
		d.run(ctx)
	}()
}

// Stop stops claiming and waits for the receipts being processed to finish;
// when ctx ends first it cancels them (they are released, to be claimed
// again) and returns ctx's error.
func (d *Drainer) Stop(ctx context.Context) error {
	if d.stop == nil {
		return nil
	}
	d.once.Do(func() { close(d.stop) })
	select {
	case <-d.stopped:
		return nil
	case <-ctx.Done():
		d.cancel()
		<-d.stopped
		return ctx.Err()
	}
}

func (d *Drainer) run(ctx context.Context) {
	defer d.cancel()
	defer d.save(ctx)
	poll := time.NewTicker(d.poll())
	defer poll.Stop()
	for {
		n, err := d.DrainOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.Logger.Error("claiming webhook receipts failed", "err", err)
		}
		if d.stopping() {
			return
		}
		if err == nil && n == d.batch() {
			continue // more may be waiting
		}
		select {
		case <-d.stop:
			return
		case <-d.Registry.Receipts.ReceiptsStored():
			d.gather()
		case <-poll.C:
		}
	}
}

// gather waits d.Gather for more receipts to be stored, or until the
// drainer stops.
func (d *Drainer) gather() {
	t := time.NewTimer(orDefault(d.Gather, DefaultGather))
	defer t.Stop()
	select {
	case <-t.C:
	case <-d.stop:
	}
}

func (d *Drainer) stopping() bool {
	select {
	case <-d.stop:
		return true
	default:
		return false
	}
}

// DrainOnce claims one batch of pending receipts, processes it and marks
// the processed ones. It returns how many receipts it claimed.
func (d *Drainer) DrainOnce(ctx context.Context) (int, error) {
	// The claim and the marking outlive a cancelled ctx: a claim that
	// committed is seen (and its receipts released if the drainer stops),
	// and work done is recorded as done.
	if err := d.save(ctx); err != nil {
		return 0, err
	}
	claimCtx, cancel := bookkeeping(ctx)
	receipts, err := d.Registry.Receipts.ClaimReceipts(claimCtx, d.batch(), d.lease())
	cancel()
	if err != nil || len(receipts) == 0 {
		return 0, err
	}
	stopMarking := d.markWhileProcessing(ctx)
	d.processBatch(ctx, receipts, d.now().Add(d.lease()/2))
	stopMarking()
	return len(receipts), d.save(ctx)
}

// markWhileProcessing saves the bookkeeping every markEvery until the
// returned function is called, which waits for a save under way.
func (d *Drainer) markWhileProcessing(ctx context.Context) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(markEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if err := d.save(ctx); err != nil && ctx.Err() == nil {
					d.Logger.Warn("marking webhook receipts processed failed; tried again after the batch", "err", err)
				}
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// save stores the unsaved bookkeeping: the processed receipts' marking,
// then the failed ones' releases. What fails stays unsaved; receipts done
// while it runs wait for the next save.
func (d *Drainer) save(ctx context.Context) error {
	d.saving.Lock()
	defer d.saving.Unlock()
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	processed, retries := d.unsaved.take()
	if err := d.Registry.Receipts.MarkReceiptsProcessed(ctx, processed); err != nil {
		d.unsaved.restore(processed, retries)
		return err
	}
	var failed []pendingRetry
	var firstErr error
	for _, r := range retries {
		err := d.Registry.Receipts.RetryReceipt(ctx, r.id, r.after, r.reason)
		if err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			failed, firstErr = append(failed, r), cmp.Or(firstErr, err)
		}
	}
	d.unsaved.restore(nil, failed)
	return firstErr
}

// bookkeeping is the context of a claim, a marking or a release: not
// cancelled with ctx, but bounded.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

// processBatch processes the receipts with d.Workers goroutines, adding
// each one done to the bookkeeping to be marked. The receipts of a
// platform whose processor processes receipts together are handed to it
// as one part (it spreads its own slow work, such as reads of the
// platform's API, over goroutines); the others are processed one at a
// time. A receipt not started before startBy (or before the drainer stops)
// is released for the next claim.
func (d *Drainer) processBatch(ctx context.Context, receipts []*stockbell.WebhookReceipt, startBy time.Time) {
	next := make(chan func())
	var wg sync.WaitGroup
	for range min(d.workers(), len(receipts)) {
		wg.Go(func() {
			for work := range next {
				work()
			}
		})
	}
	for _, part := range d.parts(receipts) {
		if p, ok := d.Registry.batchProcessor(part[0].Platform); ok {
			next <- func() { d.processTogether(ctx, p, part, startBy) }
			continue
		}
		for _, rc := range part {
			next <- func() {
				if d.processOne(ctx, rc, startBy) {
					d.unsaved.add(rc.ID)
				}
			}
		}
	}
	close(next)
	wg.Wait()
}

// parts groups the receipts of each platform that processes receipts
// together into one part, in claim order; the other receipts are one part
// each. One part per claim measured best: on PostgreSQL, four parts of a
// claim of 256 inventory webhooks, each its own transaction, waited on each
// other's variant locks and accepted 0.66 of the bare handler's webhooks
// against 0.79 for one, processing as many (docs/BENCHMARKS.md).
func (d *Drainer) parts(receipts []*stockbell.WebhookReceipt) [][]*stockbell.WebhookReceipt {
	var parts [][]*stockbell.WebhookReceipt
	together := map[stockbell.Platform]int{} // index in parts
	for _, rc := range receipts {
		if _, ok := d.Registry.batchProcessor(rc.Platform); !ok {
			parts = append(parts, []*stockbell.WebhookReceipt{rc})
			continue
		}
		i, ok := together[rc.Platform]
		if !ok {
			i = len(parts)
			together[rc.Platform] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], rc)
	}
	return parts
}

// processTogether processes a part of receipts of one platform together;
// the processor asks mayStart before each receipt it starts, and those it
// could not start are released.
func (d *Drainer) processTogether(ctx context.Context, p BatchReceiptProcessor, rcs []*stockbell.WebhookReceipt, startBy time.Time) {
	mayStart := func() bool { return d.mayStart(ctx, startBy) }
	if !mayStart() {
		for _, rc := range rcs {
			d.release(ctx, rc)
		}
		return
	}
	for i, err := range d.Registry.processTogether(ctx, p, rcs, mayStart) {
		switch {
		case err == nil:
			d.unsaved.add(rcs[i].ID)
		case errors.Is(err, stockbell.ErrReceiptUnstarted):
			d.release(ctx, rcs[i])
		default:
			d.failed(ctx, rcs[i], err)
		}
	}
}

// mayStart reports whether a claimed receipt may still be started: in the
// first half of its claim's lease (startBy), the drainer not stopping.
func (d *Drainer) mayStart(ctx context.Context, startBy time.Time) bool {
	return !d.stopping() && ctx.Err() == nil && !d.now().After(startBy)
}

// release hands back a receipt that was not started, to be claimed again
// at once.
func (d *Drainer) release(ctx context.Context, rc *stockbell.WebhookReceipt) {
	d.retry(ctx, rc, 0, stockbell.ErrReceiptUnstarted.Error())
}

// processOne processes one claimed receipt, or releases it when it is too
// late to start; it reports whether the receipt is done.
func (d *Drainer) processOne(ctx context.Context, rc *stockbell.WebhookReceipt, startBy time.Time) bool {
	if !d.mayStart(ctx, startBy) {
		d.release(ctx, rc)
		return false
	}
	err := d.Registry.process(ctx, rc)
	if err == nil {
		return true
	}
	d.failed(ctx, rc, err)
	return false
}

// failed releases a receipt whose processing failed, to be tried again
// after a backoff growing with its attempts.
func (d *Drainer) failed(ctx context.Context, rc *stockbell.WebhookReceipt, err error) {
	wait := backoff(rc.Attempts)
	d.Logger.Warn("webhook receipt failed; will retry", "receipt", rc.ID, "platform", rc.Platform, "attempt", rc.Attempts,
		"retry_in", wait, "err", err)
	d.retry(ctx, rc, wait, err.Error())
}

func (d *Drainer) retry(ctx context.Context, rc *stockbell.WebhookReceipt, after time.Duration, reason string) {
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err := d.Registry.Receipts.RetryReceipt(ctx, rc.ID, after, reason); err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		d.Logger.Warn("releasing a webhook receipt failed; tried again before the next claim", "receipt", rc.ID, "err", err)
		d.unsaved.mu.Lock()
		d.unsaved.retries = append(d.unsaved.retries, pendingRetry{rc.ID, after, reason})
		d.unsaved.mu.Unlock()
	}
}

// backoff is the wait before attempt+1: attempt⁴ seconds (1 s, 16 s,
// 81 s, 4 min, 10 min, …), at most an hour, as the job queue retries.
func backoff(attempt int) time.Duration {
	if attempt > 8 {
		return maxBackoff
	}
	a := time.Duration(max(attempt, 1))
	return min(a*a*a*a*time.Second, maxBackoff)
}

func (d *Drainer) batch() int   { return orDefault(d.Batch, DefaultBatch) }
func (d *Drainer) workers() int { return orDefault(d.Workers, DefaultWorkers) }
func (d *Drainer) poll() time.Duration {
	return orDefault(d.Poll, DefaultPoll)
}
func (d *Drainer) lease() time.Duration { return orDefault(d.Lease, DefaultLease) }

func (d *Drainer) now() time.Time {
	if d.Clock == nil {
		return time.Now()
	}
	return d.Clock.Now()
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
