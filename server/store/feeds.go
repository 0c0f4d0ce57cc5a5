package store

import (
	"context"
	"net/url"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.FeedService = (*DB)(nil)

const feedColumns = `shop_id, url, sealed_credentials, sync_interval, etag, last_modified, next_sync_at,
	last_sync_at, last_error, created_at, updated_at`

// ConnectFeed creates or reinstalls the feed shop, stores its feed and
// inserts its first FeedSyncJob, in one transaction. Connecting a new URL
// forgets the old document's validators; connecting again without a name
// keeps the shop's. Returns EINVALID naming the field.
func (db *DB) ConnectFeed(ctx context.Context, c stockbell.FeedConnect) (*stockbell.Shop, *stockbell.Feed, error) {
	if err := validateFeedConnect(&c); err != nil {
		return nil, nil, err
	}
	var shop *stockbell.Shop
	var feed *stockbell.Feed
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		name, err := feedShopName(ctx, tx, c)
		if err != nil {
			return err
		}
		shop, err = installShop(ctx, tx, stockbell.ShopInstall{Platform: stockbell.PlatformFeed, Domain: c.Domain, Name: name})
		if err != nil {
			return err
		}
		var sealed []byte
		if c.SealCredentials != nil {
			if sealed, err = c.SealCredentials(shop.ID); err != nil {
				return err
			}
		}
		if feed, err = upsertFeed(ctx, tx, shop.ID, c, sealed); err != nil {
			return err
		}
		return tx.insertJob(ctx, stockbell.FeedSyncJob{ShopID: shop.ID}, &stockbell.JobOptions{UniqueByArgs: true})
	})
	return shop, feed, err
}

func validateFeedConnect(c *stockbell.FeedConnect) error {
	c.Domain = normalizeDomain(c.Domain)
	if c.Domain == "" {
		return stockbell.FieldErrorf("domain", "the storefront's domain is required")
	}
	if !isHostName(c.Domain) {
		return stockbell.FieldErrorf("domain", "want the storefront's domain, such as shop.example.com, got %q", c.Domain)
	}
	u, err := url.Parse(strings.TrimSpace(c.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return stockbell.FieldErrorf("feed_url", "the feed URL must be an absolute http or https URL, got %q", c.URL)
	}
	c.URL = u.String()
	if c.Interval == 0 {
		c.Interval = stockbell.DefaultFeedInterval
	}
	return stockbell.ValidateFeedInterval(c.Interval)
}

// feedShopName is the name a connect gives the feed shop: the one given,
// else the one it has (a shop connected again without a name keeps it),
// else its domain.
func feedShopName(ctx context.Context, tx *Tx, c stockbell.FeedConnect) (string, error) {
	if c.Name != "" {
		return c.Name, nil
	}
	var names []string
	err := tx.SelectContext(ctx, &names, tx.Rebind(`SELECT name FROM shops WHERE platform = ? AND domain = ?`),
		stockbell.PlatformFeed, c.Domain)
	if err != nil {
		return "", err
	}
	if len(names) == 0 || names[0] == "" {
		return c.Domain, nil
	}
	return names[0], nil
}

// isHostName reports whether domain is a host name, with a port or not, as
// a storefront's origin names it: no space, path, query or user.
func isHostName(domain string) bool {
	u, err := url.Parse("https://" + domain)
	return err == nil && u.Host == domain && u.Hostname() != ""
}

func upsertFeed(ctx context.Context, tx *Tx, shopID int64, c stockbell.FeedConnect, sealed []byte) (*stockbell.Feed, error) {
	now := tx.db.now()
	_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO feeds (shop_id, url, sealed_credentials, sync_interval, etag,
		last_modified, next_sync_at, created_at, updated_at) VALUES (?, ?, ?, ?, '', '', ?, ?, ?)
		ON CONFLICT (shop_id) DO UPDATE SET url = excluded.url,
		sealed_credentials = CASE WHEN `+keepSQL(c.KeepCredentials)+` THEN feeds.sealed_credentials ELSE excluded.sealed_credentials END,
		sync_interval = excluded.sync_interval, next_sync_at = excluded.next_sync_at, updated_at = excluded.updated_at,
		etag = CASE WHEN feeds.url = excluded.url THEN feeds.etag ELSE '' END,
		last_modified = CASE WHEN feeds.url = excluded.url THEN feeds.last_modified ELSE '' END`),
		shopID, c.URL, sealed, int64(c.Interval), now, now, now)
	if err != nil {
		return nil, err
	}
	return findFeed(ctx, tx, shopID)
}

// keepSQL is a literal boolean for the upsert: keep the stored credentials.
func keepSQL(keep bool) string {
	if keep {
		return "1 = 1"
	}
	return "1 = 0"
}

// FindFeed returns ENOTFOUND for a shop without a feed.
func (db *DB) FindFeed(ctx context.Context, shopID int64) (*stockbell.Feed, error) {
	var feed *stockbell.Feed
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		feed, err = findFeed(ctx, tx, shopID)
		return err
	})
	return feed, err
}

func findFeed(ctx context.Context, tx *Tx, shopID int64) (*stockbell.Feed, error) {
	var f stockbell.Feed
	err := tx.GetContext(ctx, &f, tx.Rebind(`SELECT `+feedColumns+` FROM feeds WHERE shop_id = ?`), shopID)
	if err != nil {
		return nil, notFound(err, "shop %d has no feed", shopID)
	}
	return &f, nil
}

// FindDueFeeds returns up to limit feeds of installed shops that are due
// and not being synced, the longest overdue first.
func (db *DB) FindDueFeeds(ctx context.Context, now time.Time, limit int) ([]*stockbell.Feed, error) {
	feeds := []*stockbell.Feed{}
	now = now.UTC()
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &feeds, tx.Rebind(`SELECT f.`+strings.ReplaceAll(feedColumns, ", ", ", f.")+`
			FROM feeds f JOIN shops s ON s.id = f.shop_id
			WHERE s.status = ? AND f.next_sync_at <= ? AND (f.lease_until IS NULL OR f.lease_until < ?)
			ORDER BY f.next_sync_at, f.shop_id`+page(0, limit)), stockbell.ShopInstalled, now, now)
	})
	return feeds, err
}

// AcquireFeedLease takes the lease when it is free, expired or already the
// owner's (which extends it). Returns ENOTFOUND for a shop without a feed.
func (db *DB) AcquireFeedLease(ctx context.Context, shopID int64, owner string, until time.Time) (bool, error) {
	if owner == "" {
		return false, stockbell.FieldErrorf("owner", "a feed lease needs an owner")
	}
	acquired := false
	err := db.inTx(ctx, func(tx *Tx) error {
		now := tx.db.now()
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE feeds SET lease_owner = ?, lease_until = ?
			WHERE shop_id = ? AND (lease_owner = '' OR lease_owner = ? OR lease_until IS NULL OR lease_until < ?)`),
			owner, until.UTC().Truncate(time.Microsecond), shopID, owner, now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 1 {
			acquired = n == 1
			return err
		}
		_, err = findFeed(ctx, tx, shopID)
		return err
	})
	return acquired, err
}

// ReleaseFeedLease frees the lease if owner holds it.
func (db *DB) ReleaseFeedLease(ctx context.Context, shopID int64, owner string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE feeds SET lease_owner = '', lease_until = NULL
			WHERE shop_id = ? AND lease_owner = ?`), shopID, owner)
		return err
	})
}

// holdFeedLease locks the feed's row for the transaction and returns
// ECONFLICT unless owner holds an unexpired lease: a sync that lost its
// lease to another cannot write.
func holdFeedLease(ctx context.Context, tx *Tx, shopID int64, owner string) (*stockbell.Feed, error) {
	return checkFeedLease(ctx, tx, shopID, owner, tx.forUpdate())
}

// shareFeedLease is holdFeedLease for a batch of a sync: the row is locked
// FOR SHARE, so the batches of the lease's holder can be applied at once,
// while taking the lease (an UPDATE) waits for them to end, after which
// they can write no more.
func shareFeedLease(ctx context.Context, tx *Tx, shopID int64, owner string) error {
	lock := ""
	if tx.forUpdate() != "" {
		lock = " FOR SHARE"
	}
	_, err := checkFeedLease(ctx, tx, shopID, owner, lock)
	return err
}

func checkFeedLease(ctx context.Context, tx *Tx, shopID int64, owner, lock string) (*stockbell.Feed, error) {
	var row struct {
		stockbell.Feed
		LeaseOwner string     `db:"lease_owner"`
		LeaseUntil *time.Time `db:"lease_until"`
	}
	err := tx.GetContext(ctx, &row, tx.Rebind(`SELECT `+feedColumns+`, lease_owner, lease_until FROM feeds
		WHERE shop_id = ?`+lock), shopID)
	if err != nil {
		return nil, notFound(err, "shop %d has no feed", shopID)
	}
	if owner == "" || row.LeaseOwner != owner || row.LeaseUntil == nil || row.LeaseUntil.Before(tx.db.now()) {
		return nil, stockbell.Errorf(stockbell.ECONFLICT, "the sync of shop %d's feed no longer holds its lease", shopID)
	}
	return &row.Feed, nil
}

// FinishFeedSync records the report in the sync log and the feed's state,
// and releases the lease, in one transaction. A failed sync keeps the
// previous validators, so the next one reads the document in full; so
// does a sync of a URL the feed no longer has (end.URL), due at once.
// Returns ECONFLICT unless owner holds the lease.
func (db *DB) FinishFeedSync(ctx context.Context, end stockbell.FeedSyncEnd) error {
	end.Report.ShopID, end.Report.Source = end.ShopID, stockbell.FeedSource
	return db.inTx(ctx, func(tx *Tx) error {
		feed, err := holdFeedLease(ctx, tx, end.ShopID, end.Owner)
		if err != nil {
			return err
		}
		if err := recordFeedSync(ctx, tx, end.Report); err != nil {
			return err
		}
		now := tx.db.now()
		etag, modified, next := feed.ETag, feed.LastModified, now.Add(feed.Interval)
		if moved := end.URL != "" && end.URL != feed.URL; moved {
			next = feed.NextSyncAt
		} else if !end.Report.Failed() {
			etag, modified = end.ETag, end.LastModified
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE feeds SET etag = ?, last_modified = ?, last_sync_at = ?,
			last_error = ?, next_sync_at = ?, lease_owner = '', lease_until = NULL, updated_at = ? WHERE shop_id = ?`),
			etag, modified, now, end.Report.Failure, next, now, end.ShopID)
		return err
	})
}

// recordFeedSync records a feed sync's report in the sync log as
// RecordSync records any source's: a failure repeating the feed's latest
// entry is counted on it.
func recordFeedSync(ctx context.Context, tx *Tx, report stockbell.SyncReport) error {
	if repeated, err := repeatFailure(ctx, tx, report); repeated || err != nil {
		return err
	}
	return recordSync(ctx, tx, report)
}

// dropFeedCredentials erases the sealed credentials of the shop's feed, if
// it has one: a feed shop disconnected keeps no secret to its merchant's
// feed (connecting it again gives them anew).
func dropFeedCredentials(ctx context.Context, tx *Tx, shopID int64) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE feeds SET sealed_credentials = NULL WHERE shop_id = ?`), shopID)
	return err
}
