package integrations

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// The drainer's defaults, which the server ships with.
const (
	// DefaultBatch is how many receipts one claim takes.
	DefaultBatch = 256
	// DefaultWorkers is how many receipts of a batch are processed at once.
	DefaultWorkers = 4
	// DefaultPoll is how often an idle drainer looks for receipts it was not
	// woken for: those stored by another replica, retries that came due,
	// and those whose claimer died (once their lease ended).
	DefaultPoll = time.Second
	// DefaultLease is how long a claim holds its receipts. A receipt is
	// started only in the first half of its lease, and one not started by
	// then is released, so no other claim takes a receipt being processed.
	DefaultLease = 5 * time.Minute
	// maxBackoff bounds the wait before a failed receipt is tried again.
	maxBackoff = time.Hour
)

// Drainer processes the stored receipts in batches: it claims many pending
// receipts at once (ReceiptQueue.ClaimReceipts), runs each one's platform
// processor through the registry, a few at a time, and marks the batch
// processed in one transaction. A receipt whose processor fails is tried
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

	stop    chan struct{}
	stopped chan struct{}
	cancel  context.CancelFunc
	once    sync.Once
	unsaved unsaved
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
		case <-poll.C:
		}
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
	processed := d.processBatch(ctx, receipts, time.Now().Add(d.lease()/2))
	d.unsaved.mu.Lock()
	d.unsaved.processed = append(d.unsaved.processed, processed...)
	d.unsaved.mu.Unlock()
	return len(receipts), d.save(ctx)
}

// save stores the unsaved bookkeeping: the processed receipts' marking,
// then the failed ones' releases. What fails stays unsaved.
func (d *Drainer) save(ctx context.Context) error {
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	u := &d.unsaved
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := d.Registry.Receipts.MarkReceiptsProcessed(ctx, u.processed); err != nil {
		return err
	}
	u.processed = u.processed[:0]
	var failed []pendingRetry
	var firstErr error
	for _, r := range u.retries {
		err := d.Registry.Receipts.RetryReceipt(ctx, r.id, r.after, r.reason)
		if err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
			failed, firstErr = append(failed, r), cmp.Or(firstErr, err)
		}
	}
	u.retries = failed
	return firstErr
}

// bookkeeping is the context of a claim, a marking or a release: not
// cancelled with ctx, but bounded.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

// processBatch processes the receipts with d.Workers goroutines and
// returns the ids of those done. A receipt not started before startBy (or
// before the drainer stops) is released for the next claim.
func (d *Drainer) processBatch(ctx context.Context, receipts []*stockbell.WebhookReceipt, startBy time.Time) []int64 {
	next := make(chan *stockbell.WebhookReceipt)
	var mu sync.Mutex
	done := make([]int64, 0, len(receipts))
	var wg sync.WaitGroup
	for range min(d.workers(), len(receipts)) {
		wg.Go(func() {
			for rc := range next {
				if d.processOne(ctx, rc, startBy) {
					mu.Lock()
					done = append(done, rc.ID)
					mu.Unlock()
				}
			}
		})
	}
	for _, rc := range receipts {
		next <- rc
	}
	close(next)
	wg.Wait()
	return done
}

// processOne processes one claimed receipt, or releases it when it is too
// late to start; it reports whether the receipt is done.
func (d *Drainer) processOne(ctx context.Context, rc *stockbell.WebhookReceipt, startBy time.Time) bool {
	if d.stopping() || ctx.Err() != nil || time.Now().After(startBy) {
		d.retry(ctx, rc, 0, "released unstarted: the claim's lease was ending or the drainer stopping")
		return false
	}
	err := d.Registry.process(ctx, rc)
	if err == nil {
		return true
	}
	wait := backoff(rc.Attempts)
	d.Logger.Warn("webhook receipt failed; will retry", "receipt", rc.ID, "platform", rc.Platform, "attempt", rc.Attempts,
		"retry_in", wait, "err", err)
	d.retry(ctx, rc, wait, err.Error())
	return false
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

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
