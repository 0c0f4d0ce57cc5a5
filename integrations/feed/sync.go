package feed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"strconv"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Defaults of an Integration.
const (
	// DefaultLeaseTTL is how long a sync's lease lasts without renewal; it
	// is renewed every third of it while the sync runs.
	DefaultLeaseTTL = 2 * time.Minute
	// DefaultBatchSize is how many items one transaction applies.
	DefaultBatchSize = 1000
	// DefaultApplyWorkers is how many batches a sync applies at once: on
	// PostgreSQL two transactions keep two server processes busy (the
	// writes are its work, not ours); on SQLite, with one writer at a
	// time, the second batch waits its turn.
	DefaultApplyWorkers = 2
	// BusyRetry is how long a queued sync that finds the feed's lease
	// held waits before trying to take it again: one short statement
	// every BusyRetry while the holder runs.
	BusyRetry = 10 * time.Second
	// BusyWaitLimit bounds how long a queued sync waits for another
	// sync's lease, counted in tries of BusyRetry: twice the longest a
	// sync job may run (its 30-minute timeout). A holder past it is stuck;
	// the feed is left to its next scheduled sync, queued once the lease
	// is free.
	BusyWaitLimit = time.Hour
)

// ErrBusy is returned by SyncFeed when another sync of the feed is running
// and the caller did not ask to wait.
var ErrBusy = stockbell.Errorf(stockbell.ECONFLICT, "A sync of this feed is already running.")

// Integration connects feeds, reads them and applies what changed: Connect,
// the on-demand SyncFeed and QueueSync (stockbell.FeedSyncer), and the job
// handlers HandleSync and HandleSchedule.
type Integration struct {
	Feeds stockbell.FeedService
	Shops stockbell.ShopService
	// Catalog begins the reads of the feed (their levels are ordered as
	// reads, stockbell.DecideStockChange).
	Catalog stockbell.CatalogService
	Fetcher *Fetcher
	// Sealer opens the feeds' sealed credentials.
	Sealer stockbell.TokenSealer
	// Jobs queues the syncs the scheduler finds due.
	Jobs   stockbell.JobInserter
	Clock  stockbell.Clock
	Logger *slog.Logger
	// Owner names this process in leases (host and pid by default).
	Owner     string
	LeaseTTL  time.Duration
	BatchSize int
	// ApplyWorkers is how many batches are applied at once
	// (DefaultApplyWorkers by default).
	ApplyWorkers int
	// TempDir holds the spool of changed items (the system's by default).
	TempDir string
}

// SyncOptions tune one sync.
type SyncOptions struct {
	// Wait for a running sync of the feed to end, then sync, rather than
	// returning ErrBusy.
	Wait bool
}

var _ stockbell.FeedSyncer = (*Integration)(nil)

// SyncFeed syncs the shop's feed now, after a sync already running ends
// (the CLI, the admin and the JSON API call it).
func (in *Integration) SyncFeed(ctx context.Context, shopID int64) (*stockbell.SyncReport, error) {
	return in.Sync(ctx, shopID, SyncOptions{Wait: true})
}

// QueueSync queues a sync of the shop's feed (unless one is queued).
// Returns ENOTFOUND for a shop without a feed.
func (in *Integration) QueueSync(ctx context.Context, shopID int64) error {
	if _, err := in.Feeds.FindFeed(ctx, shopID); err != nil {
		return err
	}
	return in.Jobs.Insert(ctx, stockbell.FeedSyncJob{ShopID: shopID}, &stockbell.JobOptions{UniqueByArgs: true})
}

// Sync syncs the shop's feed now and returns its report. A feed that
// cannot be fetched or whose document is unsound is a report with a
// Failure (recorded in the sync log), not an error; errors are for the
// rest (ENOTFOUND for a shop without a feed, ErrBusy, the database).
func (in *Integration) Sync(ctx context.Context, shopID int64, opts SyncOptions) (*stockbell.SyncReport, error) {
	owner := in.newOwner()
	for {
		ok, err := in.Feeds.AcquireFeedLease(ctx, shopID, owner, in.Clock.Now().Add(in.leaseTTL()))
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
		if !opts.Wait {
			return nil, ErrBusy
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return in.syncLeased(ctx, shopID, owner)
}

// HandleSync serves FeedSyncJob. A feed another sync is reading (one from
// the command line or the admin, which queue nothing) is synced once that
// sync is done: the holder may have read the feed before the change this
// sync was queued for, so the job waits, trying again every BusyRetry
// without counting an attempt (RetryLaterError), and syncs once it takes
// the lease. The wait lasts as long as the holder (a live one renews its
// lease while it syncs, a dead one's lease runs out after LeaseTTL), and
// no longer than BusyWaitLimit. A feed that fails is recorded and tried
// again at its next interval, so only database errors make the job retry.
// A shop disconnected or erased since the job was queued ends it quietly.
func (in *Integration) HandleSync(ctx context.Context, job stockbell.FeedSyncJob) error {
	report, err := in.Sync(ctx, job.ShopID, SyncOptions{})
	switch {
	case errors.Is(err, ErrBusy) && stockbell.JobPostponements(ctx) >= int(BusyWaitLimit/BusyRetry):
		in.Logger.WarnContext(ctx, "feed sync gave up waiting for another sync's lease", "shop_id", job.ShopID, "waited", BusyWaitLimit)
		return nil
	case errors.Is(err, ErrBusy):
		return &stockbell.RetryLaterError{At: in.Clock.Now().Add(BusyRetry), Reason: "another sync of the feed holds its lease"}
	case stockbell.ErrorCode(err) == stockbell.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case report.Failure == notInstalled:
		// Queued before an operator disconnected the shop: nothing to warn of.
		in.Logger.InfoContext(ctx, "feed sync of a shop not installed skipped", "shop_id", job.ShopID)
	case report.Failed():
		in.Logger.WarnContext(ctx, "feed sync failed", "shop_id", job.ShopID, "reason", report.Failure)
	}
	return nil
}

// HandleSchedule serves FeedScheduleJob: it queues a FeedSyncJob for every
// due feed (a feed already queued is not queued twice).
func (in *Integration) HandleSchedule(ctx context.Context, _ stockbell.FeedScheduleJob) error {
	due, err := in.Feeds.FindDueFeeds(ctx, in.Clock.Now(), 1000)
	if err != nil {
		return err
	}
	for _, f := range due {
		if err := in.Jobs.Insert(ctx, stockbell.FeedSyncJob{ShopID: f.ShopID}, &stockbell.JobOptions{UniqueByArgs: true}); err != nil {
			return err
		}
	}
	return nil
}

// syncLeased runs a sync under the lease, renewing it meanwhile; losing it
// cancels the sync.
func (in *Integration) syncLeased(ctx context.Context, shopID int64, owner string) (*stockbell.SyncReport, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	defer close(done)
	go in.renew(ctx, cancel, done, shopID, owner)

	run := &syncRun{s: in, shopID: shopID, owner: owner, report: stockbell.SyncReport{StartedAt: in.Clock.Now()}}
	err := run.sync(ctx)
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	}
	if err != nil {
		in.Feeds.ReleaseFeedLease(context.WithoutCancel(ctx), shopID, owner)
		return nil, err
	}
	return &run.report, nil
}

func (in *Integration) renew(ctx context.Context, cancel context.CancelCauseFunc, done chan struct{}, shopID int64, owner string) {
	ticker := time.NewTicker(in.leaseTTL() / 3)
	defer ticker.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-ticker.C:
			ok, err := in.Feeds.AcquireFeedLease(ctx, shopID, owner, in.Clock.Now().Add(in.leaseTTL()))
			if err == nil && !ok {
				cancel(stockbell.Errorf(stockbell.ECONFLICT, "the feed sync lost its lease"))
				return
			}
		}
	}
}

func (in *Integration) newOwner() string {
	b := make([]byte, 6)
	rand.Read(b)
	owner := in.Owner
	if owner == "" {
		host, _ := os.Hostname()
		owner = host + ":" + strconv.Itoa(os.Getpid())
	}
	return owner + ":" + hex.EncodeToString(b)
}

func (in *Integration) leaseTTL() time.Duration {
	if in.LeaseTTL > 0 {
		return in.LeaseTTL
	}
	return DefaultLeaseTTL
}

func (in *Integration) applyWorkers() int {
	if in.ApplyWorkers > 0 {
		return in.ApplyWorkers
	}
	return DefaultApplyWorkers
}

func (in *Integration) batchSize() int {
	if in.BatchSize > 0 {
		return in.BatchSize
	}
	return DefaultBatchSize
}

// credentials opens a feed's sealed credentials.
func (in *Integration) credentials(f *stockbell.Feed) (*Credentials, error) {
	if len(f.SealedCredentials) == 0 {
		return nil, nil
	}
	raw, err := in.Sealer.Open(f.ShopID, f.SealedCredentials)
	if err != nil {
		return nil, fmt.Errorf("open the credentials of shop %d's feed: %w", f.ShopID, err)
	}
	var c Credentials
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("read the credentials of shop %d's feed: %w", f.ShopID, err)
	}
	return &c, nil
}

// SealCredentials returns FeedConnect.SealCredentials for the
// credentials: they are sealed for the shop's id (nil for none).
func SealCredentials(sealer stockbell.TokenSealer, c *Credentials) func(shopID int64) ([]byte, error) {
	if c == nil || *c == (Credentials{}) {
		return nil
	}
	return func(shopID int64) ([]byte, error) {
		raw, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		return sealer.Seal(shopID, raw)
	}
}

// itemHash is what a sync compares to tell whether an item changed.
func itemHash(id, title, link, image, price string, quantity int) uint64 {
	h := fnv.New64a()
	for _, f := range []string{id, title, link, image, price, strconv.Itoa(quantity)} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return h.Sum64()
}
