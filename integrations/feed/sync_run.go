package feed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// storedItem is what a sync remembers of a stored item: its hash, whether
// it is published, and whether the document listed it.
type storedItem struct {
	hash      uint64
	published bool
	seen      bool
}

// syncRun is one sync of one feed, under its lease.
type syncRun struct {
	s      *Integration
	shopID int64
	owner  string
	feed   *stockbell.Feed
	report stockbell.SyncReport
	// read began before the document was fetched; modified is the
	// document's Last-Modified (its own time), zero without one.
	read     stockbell.StockRead
	modified time.Time
	// shop is the feed's shop as the sync began; currency tallies the
	// currencies the document's prices state.
	shop     *stockbell.Shop
	currency priceCurrency
}

// notInstalled is the failure of a sync of a shop that is not installed
// (disconnected by an operator): recorded, but no fault of the feed's.
const notInstalled = "the shop is not installed"

// spoolError marks a failure to keep items on disk: ours, not the feed's.
type spoolError struct{ error }

func (e spoolError) Unwrap() error { return e.error }

// sync fetches the document, reads it whole into the spool (changed items
// only), and only when it is sound applies the spool, unpublishes the
// items it no longer lists, and finishes. A failure of the feed finishes
// the sync as failed, having changed nothing.
func (r *syncRun) sync(ctx context.Context) error {
	feed, err := r.s.Feeds.FindFeed(ctx, r.shopID)
	if err != nil {
		return err
	}
	r.feed = feed
	if r.shop, err = r.s.Shops.FindShopByID(ctx, r.shopID); err != nil {
		return err
	} else if !r.shop.Active() {
		return r.finish(ctx, Validators{}, notInstalled)
	}
	creds, err := r.s.credentials(feed)
	if err != nil {
		return err
	}
	if r.read, err = r.s.Catalog.BeginStockRead(ctx); err != nil {
		return err
	}
	doc, err := r.s.Fetcher.Fetch(ctx, feed.URL, creds, Validators{ETag: feed.ETag, LastModified: feed.LastModified})
	var fetchErr *FetchError
	if errors.As(err, &fetchErr) {
		return r.finish(ctx, Validators{}, fetchErr.Reason)
	} else if err != nil {
		return err
	}
	if doc.NotModified {
		r.report.NotModified = true
		return r.finish(ctx, Validators{ETag: feed.ETag, LastModified: feed.LastModified}, "")
	}
	defer doc.Body.Close()
	r.modified = doc.Modified
	return r.readDocument(ctx, doc)
}

func (r *syncRun) readDocument(ctx context.Context, doc *Document) error {
	stored, err := r.loadStored(ctx)
	if err != nil {
		return err
	}
	sp, err := newSpool(r.s.TempDir)
	if err != nil {
		return err
	}
	defer sp.close()
	res, err := Parse(doc.Body, doc.Format, func(it stockbell.FeedItem) error {
		r.currency.note(it.Price)
		st, ok := stored[it.ID]
		if ok {
			st.seen = true
			stored[it.ID] = st
			if st.published && st.hash == itemHash(it.ID, it.Title, it.Link, it.ImageURL, it.Price, it.Quantity) {
				return nil
			}
		}
		if err := sp.add(it); err != nil {
			return spoolError{err}
		}
		return nil
	})
	if res != nil {
		r.report.Items, r.report.Rejections, r.report.Rejected = res.Items, res.Rejections, res.Rejected
		markListed(stored, res.RejectedIDs)
	}
	if err != nil {
		if failure := feedFailure(ctx, err); failure != "" {
			return r.finish(ctx, Validators{}, failure)
		}
		return err
	}
	err = r.apply(ctx, sp, stored, res.Valid+len(res.RejectedIDs))
	if errors.Is(err, stockbell.ErrListedNothing) {
		return r.finish(ctx, Validators{}, stockbell.SweepFailure(stockbell.PlatformFeed, err))
	} else if err != nil {
		return err
	}
	if err := r.recordCurrency(ctx); err != nil {
		return err
	}
	return r.finish(ctx, doc.Validators, "")
}

// markListed marks seen the stored items the document listed with a bad
// row: they are not unpublished as gone, and keep their last good state.
func markListed(stored map[string]storedItem, ids []string) {
	for _, id := range ids {
		if st, ok := stored[id]; ok {
			st.seen = true
			stored[id] = st
		}
	}
}

// feedFailure tells the feed's own failures (a malformed or truncated
// document, the size cap, a transfer broken off) from ours ("": the
// spool, the context).
func feedFailure(ctx context.Context, err error) string {
	var doc *DocumentError
	var fetchErr *FetchError
	var spoolErr spoolError
	switch {
	case errors.As(err, &doc):
		return doc.Reason
	case errors.As(err, &fetchErr):
		return fetchErr.Reason
	case errors.As(err, &spoolErr) || ctx.Err() != nil:
		return ""
	}
	return fmt.Sprintf("reading the feed broke off: %v", err)
}

// loadStored reads every stored item's hash and publication.
func (r *syncRun) loadStored(ctx context.Context) (map[string]storedItem, error) {
	stored := map[string]storedItem{}
	err := r.s.Feeds.EachFeedItemState(ctx, r.shopID, func(st stockbell.FeedItemState) error {
		stored[st.ID] = storedItem{hash: itemHash(st.ID, st.Title, st.Link, st.ImageURL, st.Price, st.Quantity), published: st.Published && !st.Deleted}
		return nil
	})
	return stored, err
}

// apply writes the spooled items in batches, then unpublishes the
// published items the document no longer lists (an item listed with a bad
// row is still listed). A document that listed no item by a usable id
// while some are published is stockbell.ErrListedNothing, and applies
// nothing (stockbell.GuardSweep).
func (r *syncRun) apply(ctx context.Context, sp *spool, stored map[string]storedItem, listed int) error {
	var vanished []string
	for id, st := range stored {
		if !st.seen && st.published {
			vanished = append(vanished, id)
		}
	}
	if err := stockbell.GuardSweep(listed, len(vanished)); err != nil {
		return err
	}
	if err := r.applySpool(ctx, sp); err != nil {
		return err
	}
	for start := 0; start < len(vanished); start += r.s.batchSize() {
		n, err := r.s.Feeds.UnpublishFeedItems(ctx, r.shopID, r.owner, vanished[start:min(start+r.s.batchSize(), len(vanished))])
		if err != nil {
			return err
		}
		r.report.Unpublished += n
	}
	return nil
}

// applySpool applies the spooled items in batches, several at once (the
// items are distinct: a document's repeated ids are rejected). The first
// failure stops the others.
func (r *syncRun) applySpool(ctx context.Context, sp *spool) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan []stockbell.FeedItem)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range r.s.applyWorkers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				res, err := r.s.Feeds.ApplyFeedItems(ctx, stockbell.FeedBatch{ShopID: r.shopID, Owner: r.owner, Read: r.read,
					At: r.modified, Items: batch})
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				r.report.Changed += res.Created + res.Updated
				mu.Unlock()
			}
		}()
	}
	err := sp.each(r.s.batchSize(), func(batch []stockbell.FeedItem) error {
		select {
		case batches <- slices.Clone(batch): // each reuses its slice
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	close(batches)
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}

// finish records the sync and releases its lease.
func (r *syncRun) finish(ctx context.Context, v Validators, failure string) error {
	r.report.Failure = failure
	r.report.FinishedAt = r.s.Clock.Now()
	if failure != "" {
		r.report.Changed, r.report.Unpublished = 0, 0
	}
	err := r.s.Feeds.FinishFeedSync(ctx, stockbell.FeedSyncEnd{ShopID: r.shopID, Owner: r.owner,
		ETag: v.ETag, LastModified: v.LastModified, URL: r.feed.URL, Report: r.report})
	if err != nil {
		return err
	}
	r.report.ShopID, r.report.Source = r.shopID, stockbell.FeedSource
	r.s.Logger.InfoContext(ctx, "feed synced", "shop_id", r.shopID, "items", r.report.Items, "changed", r.report.Changed,
		"unpublished", r.report.Unpublished, "rejected", r.report.RejectedCount(), "not_modified", r.report.NotModified,
		"failure", failure, "duration", r.report.FinishedAt.Sub(r.report.StartedAt))
	return nil
}
