package stockbell

import (
	"context"
	"time"
)

// Feed sync intervals: every shop's feed is read on its own schedule.
const (
	DefaultFeedInterval = 15 * time.Minute
	MinFeedInterval     = time.Minute
	MaxFeedInterval     = 7 * 24 * time.Hour
)

// FeedSource is the source name feed syncs record in the sync log.
const FeedSource = "feed"

// Feed is a shop's inventory-aware catalog feed: a JSON or XML document,
// one item per variant, read on a schedule and on demand.
type Feed struct {
	ShopID int64  `db:"shop_id" json:"shop_id"`
	URL    string `db:"url" json:"url"`
	// SealedCredentials are the HTTP basic auth or header that open a
	// private feed, sealed at rest; nil for a public feed.
	SealedCredentials []byte        `db:"sealed_credentials" json:"-"`
	Interval          time.Duration `db:"sync_interval" json:"interval"`
	// ETag and LastModified are the validators of the last document
	// applied in full, sent back as If-None-Match / If-Modified-Since.
	ETag         string `db:"etag" json:"-"`
	LastModified string `db:"last_modified" json:"-"`
	// NextSyncAt is when the scheduler next queues a sync.
	NextSyncAt time.Time  `db:"next_sync_at" json:"next_sync_at"`
	LastSyncAt *time.Time `db:"last_sync_at" json:"last_sync_at,omitempty"`
	// LastError is why the last sync failed ("" after a good one).
	LastError string    `db:"last_error" json:"last_error,omitempty"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// ValidateFeedInterval returns an EINVALID error naming "interval" when d
// is outside MinFeedInterval..MaxFeedInterval.
func ValidateFeedInterval(d time.Duration) error {
	if d < MinFeedInterval || d > MaxFeedInterval {
		return FieldErrorf("interval", "the feed interval must be between 1m and 168h, got %s", d)
	}
	return nil
}

// FeedConnect connects a feed: the shop (platform feed, created or
// reinstalled) and its feed settings.
type FeedConnect struct {
	// Domain is the storefront's domain; the storefront API knows the shop
	// by it.
	Domain string
	Name   string
	URL    string
	// SealCredentials returns the feed's credentials sealed for the shop's
	// id; it is called in the connect's transaction once the id is known.
	// Nil connects a public feed, unless KeepCredentials keeps the stored
	// ones.
	SealCredentials func(shopID int64) ([]byte, error)
	KeepCredentials bool
	Interval        time.Duration
}

// FeedItem is one valid item of a feed: a variant that is also its own
// product, with its id as both platform ids.
type FeedItem struct {
	ID       string
	Title    string
	Link     string
	ImageURL string
	Price    string
	Quantity int
}

// FeedBatch is a batch of a feed document's items, applied by the sync
// that holds the feed's lease.
type FeedBatch struct {
	ShopID int64
	Owner  string
	// Read is the read of the feed, begun before the document was fetched.
	Read StockRead
	// At is the document's own time (its Last-Modified), zero when it gave
	// none; never Stockbell's clock.
	At    time.Time
	Items []FeedItem
}

// FeedItemState is an item as stored, for a sync to tell what changed.
type FeedItemState struct {
	ID        string `db:"platform_id"`
	Title     string `db:"title"`
	Link      string `db:"url"`
	ImageURL  string `db:"image_url"`
	Price     string `db:"price"`
	Quantity  int    `db:"stock"`
	Published bool   `db:"published"`
	Deleted   bool   `db:"deleted"`
}

// FeedApplyResult tells what applying a batch of items did.
type FeedApplyResult struct {
	Created int // items new to the catalog
	Updated int // stored items whose fields changed
	// StockChanged counts the items whose stock or publication changed:
	// each got a stock_changed event and a VariantStockChangedJob.
	StockChanged int
}

// FeedSyncEnd closes a sync: the feed's state and the sync's report,
// recorded together, and the sync's lease released.
type FeedSyncEnd struct {
	ShopID int64
	Owner  string
	// Validators of the document just applied; set only after a complete
	// sync (a failed one keeps the previous ones).
	ETag         string
	LastModified string
	// URL is the feed URL the sync read. When the feed was given another
	// since (connected again), the validators are not stored for it, nor
	// its next sync put off: the new URL is still to be read in full.
	URL    string
	Report SyncReport
}

// FeedService stores feeds and applies their items. A sync holds the
// feed's lease (one owner at a time, across processes and replicas) and
// every write of the sync checks it, returning ECONFLICT once it is lost.
type FeedService interface {
	// ConnectFeed creates or reinstalls the feed shop, stores its feed and
	// inserts its first FeedSyncJob, in one transaction. Returns EINVALID
	// for an empty domain or URL or an interval out of range.
	ConnectFeed(ctx context.Context, connect FeedConnect) (*Shop, *Feed, error)
	// FindFeed returns ENOTFOUND for a shop without a feed.
	FindFeed(ctx context.Context, shopID int64) (*Feed, error)
	// FindDueFeeds returns up to limit feeds of installed shops whose
	// NextSyncAt is not after now, and whose lease is free.
	FindDueFeeds(ctx context.Context, now time.Time, limit int) ([]*Feed, error)
	// AcquireFeedLease takes the feed's lease for owner until `until` when
	// it is free, expired or already owner's, and reports whether it did.
	// Returns ENOTFOUND.
	AcquireFeedLease(ctx context.Context, shopID int64, owner string, until time.Time) (bool, error)
	// ReleaseFeedLease frees the lease if owner holds it.
	ReleaseFeedLease(ctx context.Context, shopID int64, owner string) error
	// EachFeedItemState calls fn with every stored item of the shop's
	// feed, in no particular order, without holding them all in memory.
	EachFeedItemState(ctx context.Context, shopID int64, fn func(FeedItemState) error) error
	// ApplyFeedItems upserts the batch's items (published, not deleted) in
	// one transaction, each item's stock as the level read at the default
	// location (ordered by DecideStockChange as a read). Items whose stock
	// or publication changed get a stock_changed event and a
	// VariantStockChangedJob. Returns ECONFLICT unless the batch's owner
	// holds the lease, EINVALID for an item without id, with a negative
	// quantity, or listed twice. Batches of the lease's holder listing
	// different items may be applied at once.
	ApplyFeedItems(ctx context.Context, batch FeedBatch) (FeedApplyResult, error)
	// UnpublishFeedItems marks the items' products unpublished (not
	// deleted), with a VariantStockChangedJob each, and returns how many
	// changed. Returns ECONFLICT unless owner holds the lease.
	UnpublishFeedItems(ctx context.Context, shopID int64, owner string, ids []string) (int, error)
	// FinishFeedSync records the sync's report in the sync log, stores the
	// validators (after a complete sync of the URL the feed still has),
	// sets the last sync time, error and next sync time, and releases the
	// lease, in one transaction.
	// Returns ECONFLICT unless owner holds the lease.
	FinishFeedSync(ctx context.Context, end FeedSyncEnd) error
}

// FeedCredentials open a private feed: HTTP basic auth, or one header
// (such as Authorization or X-Api-Key) with its value. Stored sealed.
type FeedCredentials struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Header   string `json:"header,omitempty"`
	Value    string `json:"value,omitempty"`
}

// FeedSettings is what a merchant gives to connect a feed.
type FeedSettings struct {
	// Domain is the storefront's domain (the shop's name in the storefront
	// API); Name is shown in the admin (when empty: the name the shop
	// has, connected again, else the domain).
	Domain string
	Name   string
	URL    string
	// Credentials open a private feed: basic auth or one header, not both.
	Credentials *FeedCredentials
	// KeepCredentials keeps the stored credentials (Credentials is ignored).
	KeepCredentials bool
	// Interval between scheduled syncs (DefaultFeedInterval when 0).
	Interval time.Duration
}

// FeedSyncer connects feeds and syncs them on demand; integrations/feed
// implements it, the CLI, the admin and the JSON API call it.
type FeedSyncer interface {
	// Connect checks the feed URL (it must reach the public internet), seals
	// the credentials, and creates or updates the feed shop with its first
	// sync queued. Returns EINVALID naming the field.
	Connect(ctx context.Context, settings FeedSettings) (*Shop, *Feed, error)
	// SyncFeed syncs the shop's feed now (after a sync already running, if
	// any) and returns its report; a feed that could not be read or whose
	// document was rejected is a report with a Failure, not an error.
	// Returns ENOTFOUND for a shop without a feed.
	SyncFeed(ctx context.Context, shopID int64) (*SyncReport, error)
	// QueueSync queues a sync of the shop's feed. Returns ENOTFOUND for a
	// shop without a feed.
	QueueSync(ctx context.Context, shopID int64) error
}

// FeedSyncJob syncs one shop's feed.
type FeedSyncJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (FeedSyncJob) Kind() string { return "feed_sync" }

// FeedScheduleJob runs every minute and queues a FeedSyncJob for each
// feed that is due.
type FeedScheduleJob struct{}

// Kind implements JobArgs.
func (FeedScheduleJob) Kind() string { return "feed_schedule" }

// FeedDescription is a shop's feed as its merchant may read it: what is
// connected and when it is read, and no secret (the admin's Sync log page
// shows it).
type FeedDescription struct {
	// URL is the feed's URL with each value of its query hidden ("…"),
	// where a feed opened by no other credentials carries its token.
	URL string
	// Credentials tells whether credentials are sent; Username names the
	// basic auth user and Header the header's name (never its value, nor
	// the password). Both are empty when the sealed credentials could not
	// be opened.
	Credentials bool
	Username    string
	Header      string
	Interval    time.Duration
	// LastSyncAt is when the last sync ended (nil before the first);
	// LastError why it failed ("" after a good one).
	LastSyncAt *time.Time
	LastError  string
	// NextSyncAt is when the scheduler next queues a sync.
	NextSyncAt time.Time
}
