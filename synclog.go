package stockbell

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Sync log events. A sync reads a shop's catalog from outside (a feed
// document, a platform's API polled for reconciliation) and applies what
// changed; the shop's sync log is what each sync did, in the activity log.
const (
	// EventSyncFinished: a sync ran to its end and applied every valid item.
	// Detail: source, items, changed, unpublished, rejected,
	// rejections_logged, not_modified, started_at, duration_ms, and notice
	// when the sync has one (SyncReport.Notice).
	EventSyncFinished EventKind = "sync_finished"
	// EventSyncFailed: a sync changed nothing (the source was unreachable or
	// its document was malformed or truncated); the last good state stays.
	// A complete catalog sync also fails when its listing named nothing
	// (GuardSweep: nothing is marked), or when marking what it no longer
	// lists failed after the listed products were updated
	// (RecordSweepFailure).
	// Detail: source, reason, rejected, rejections_logged, started_at,
	// duration_ms; and, on an entry that stands for repeats of one failure
	// (see SyncLogService.RecordSync), failures (how many) and
	// first_failed_at, the entry's own time being the latest's.
	EventSyncFailed EventKind = "sync_failed"
	// EventSyncItemRejected: one item a sync could not apply.
	// Detail: source, position, id, reason.
	EventSyncItemRejected EventKind = "sync_item_rejected"
)

// SyncEventKinds are the kinds that make up a shop's sync log.
var SyncEventKinds = []EventKind{EventSyncFinished, EventSyncFailed, EventSyncItemRejected}

// MaxSyncRejectionsLogged bounds the sync_item_rejected events one sync
// writes; the summary event counts every rejection.
const MaxSyncRejectionsLogged = 100

// SyncRejection is one item a sync could not apply.
type SyncRejection struct {
	// Position is the item's place in the source, counting from 1 in
	// document (or page) order.
	Position int `json:"position"`
	// ID is the item's id as the source spells it ("" when it has none).
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// SyncReport is what one sync of a shop did.
type SyncReport struct {
	ShopID int64 `json:"shop_id"`
	// Source names what was synced, e.g. "feed", "bigcommerce:catalog",
	// "magento:poll".
	Source     string    `json:"source"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Failure, when not empty, says why the sync changed nothing (or, for
	// a catalog sync's sweep, marked nothing: SweepFailure); the report is
	// then recorded as sync_failed.
	Failure string `json:"failure,omitempty"`
	// Notice, on a sync that did not fail, is what the merchant should know
	// of data it read as well as it could (prices PrestaShop gave before
	// tax, say): said once, on the sync's entry.
	Notice string `json:"notice,omitempty"`
	// NotModified: the source answered that nothing changed since the last
	// sync (HTTP 304), so nothing was read.
	NotModified bool `json:"not_modified"`
	// Quiet marks the success of a run not logged each time (a periodic
	// reconciliation): it is recorded only when the source's latest entry
	// is a failure, to show that the failure ended and so that the same
	// failure met again is a new entry.
	Quiet bool `json:"-"`
	// Items counts the items read, Changed those whose stored state changed,
	// Unpublished those marked unpublished because the source no longer
	// lists them.
	Items       int `json:"items"`
	Changed     int `json:"changed"`
	Unpublished int `json:"unpublished"`
	// Stored counts the items written to the catalog by a sync that
	// stores every item it reads without telling which of them changed (a
	// platform's catalog sync); its Changed is 0, which would read as
	// nothing stored.
	Stored int `json:"stored,omitempty"`
	// Rejections are the items the sync could not apply. Rejected counts
	// them all when a sync keeps only the first few details (0: as many as
	// listed).
	Rejections []SyncRejection `json:"rejections"`
	Rejected   int             `json:"rejected"`
}

// RejectedCount is the number of items the sync rejected.
func (r *SyncReport) RejectedCount() int { return max(r.Rejected, len(r.Rejections)) }

// Failed reports whether the sync changed nothing because of a failure.
func (r *SyncReport) Failed() bool { return r.Failure != "" }

// SyncLogFilter selects a shop's sync log entries.
type SyncLogFilter struct {
	ShopID int64
	// Kind, when set, keeps one of SyncEventKinds only.
	Kind   *EventKind
	Offset int
	Limit  int
}

// SyncLogService keeps each shop's sync log. Every integration that syncs a
// catalog from outside (feeds, platform polls) records its syncs here.
type SyncLogService interface {
	// RecordSync writes the report to the shop's activity log in one
	// transaction: a sync_item_rejected event per rejection (at most
	// MaxSyncRejectionsLogged), then a sync_finished event, or sync_failed
	// when the report has a Failure. A failure without rejections whose
	// reason is that of the source's latest entry, a sync_failed one
	// without rejections (nothing else recorded from the source since), is
	// recorded on that entry instead: it moves to the new failure's time
	// and counts it. A refusal met on every periodic run is then one line,
	// not one per run; a different failure, or a success, is a new entry
	// (a Quiet success only when it ends a failure). Returns
	// EINVALID without a shop or source, ENOTFOUND for an unknown shop.
	RecordSync(ctx context.Context, report SyncReport) error
	// FindSyncLog returns the shop's sync events, newest first (a sync's
	// summary before its rejections), and their total count.
	FindSyncLog(ctx context.Context, filter SyncLogFilter) ([]*Event, int, error)
	// FindFailingSyncs returns the sync_failed entry of each of the shop's
	// sources whose latest entry is a failure (nothing recorded from the
	// source since), newest first: the failures still going on.
	FindFailingSyncs(ctx context.Context, shopID int64) ([]*Event, error)
	// SyncFinishedSince reports whether a sync of the shop from source
	// was recorded as finished (sync_finished) after since and not after
	// now (one dated in the future, recorded while the clock ran ahead,
	// does not count): a failed one does not count.
	SyncFinishedSince(ctx context.Context, shopID int64, source string, since time.Time) (bool, error)
}

// RecordForbidden records, as a failed sync from source begun at started
// and ended at now, a request the shop's platform refused as one the app's
// credentials may not make (EFORBIDDEN: a scope, API resource or
// permission the merchant did not grant). The app is still installed; the
// failure names what to grant.
// It reports whether err was such a refusal (other errors are left to the
// caller), and the error of recording it. Jobs end after it without
// retrying: the same request is refused until the merchant grants more,
// and the periodic jobs try again on their own schedule.
func RecordForbidden(ctx context.Context, log SyncLogService, logger *slog.Logger, shop *Shop, source string, started, now time.Time, err error) (bool, error) {
	if ErrorCode(err) != EFORBIDDEN {
		return false, nil
	}
	logger.WarnContext(ctx, "the platform refused a request the app may not make", "platform", shop.Platform,
		"shop", shop.Domain, "source", source, "err", err)
	report := SyncReport{ShopID: shop.ID, Source: source, StartedAt: started, FinishedAt: now, Failure: ErrorMessage(err)}
	return true, log.RecordSync(ctx, report)
}

// RecordRunFailure records in the shop's sync log, as a failed run of
// source begun at started and ended at now, a run of a job that logs only
// its failures (and the run that ends one) which ended in err: reason
// says in the merchant's words what the platform answered and what to
// check. It returns err, for the job to be retried, joined with any error
// of recording it. Each failed run is one report, and the same reason met
// again is counted on its entry (RecordSync), so retries do not flood the
// log. A run cut short because the process is stopping (JobStopped) did
// not fail, and records nothing; one its own timeout ended is recorded
// all the same, past its context's end.
func RecordRunFailure(ctx context.Context, log SyncLogService, shopID int64, source string, started, now time.Time, reason string, err error) error {
	if JobStopped(ctx) {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordFailureTimeout)
	defer cancel()
	report := SyncReport{ShopID: shopID, Source: source, StartedAt: started, FinishedAt: now, Failure: reason}
	return errors.Join(err, log.RecordSync(ctx, report))
}

// recordFailureTimeout bounds the recording of a failed run whose own
// context has ended.
const recordFailureTimeout = 10 * time.Second

// RecordRecovered records, as a Quiet report, that a periodic run of
// source, which logs only its failures, read the shop's items again: the
// entry of a failure the sync log shows for the source then ends (a
// later failure is a new entry), and nothing is written otherwise. A run
// that read nothing asked the platform nothing, and records nothing.
func RecordRecovered(ctx context.Context, log SyncLogService, shopID int64, source string, started, now time.Time, items int) error {
	if report := RecoveryReport(shopID, source, started, now, items); report != nil {
		return log.RecordSync(ctx, *report)
	}
	return nil
}

// RecoveryReport is the Quiet report RecordRecovered records, for a write
// that records it in its own transaction (ProductUpsert.Recovered); nil
// for a run that read nothing.
func RecoveryReport(shopID int64, source string, started, now time.Time, items int) *SyncReport {
	if items == 0 {
		return nil
	}
	return &SyncReport{ShopID: shopID, Source: source, StartedAt: started, FinishedAt: now, Items: items, Quiet: true}
}
