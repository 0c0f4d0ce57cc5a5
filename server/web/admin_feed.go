package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// readFeedPath is where the Sync log page's "Read now" posts.
const readFeedPath = syncLogPath + "/read-feed"

// AdminFeeds tells a feed shop's merchant what feed is connected and reads
// it on request (the feed integration). Both methods return ENOTFOUND for
// a shop without a feed.
type AdminFeeds interface {
	// DescribeFeed returns the feed without its secrets.
	DescribeFeed(ctx context.Context, shopID int64) (*stockbell.FeedDescription, error)
	// QueueSync queues a sync of the feed, unique by shop: one asked for
	// while a sync runs makes it run once more after it.
	QueueSync(ctx context.Context, shopID int64) error
}

// feedPanel is the connected feed as the Sync log page shows it, times in
// the shop's time zone.
type feedPanel struct {
	*stockbell.FeedDescription
	Every string
	// LastRead is when the last sync ended, LastAt the same as a time
	// (zero before the first).
	LastRead string
	LastAt   time.Time
	NextDue  string
	// DueNow: the next sync's time has come: the scheduler queues it
	// within a minute, unless it is queued or under way already (a due
	// time is put off only when a sync ends).
	DueNow bool
	// ChangeArgs are the `shop add` arguments that change the feed.
	ChangeArgs string
}

// feedPanelOf describes the shop's feed for its Sync log page: nil for a
// shop without one.
func (a *Admin) feedPanelOf(r *http.Request, shop *stockbell.Shop, loc *time.Location) (*feedPanel, error) {
	if a.Feeds == nil || shop.Platform != stockbell.PlatformFeed {
		return nil, nil
	}
	d, err := a.Feeds.DescribeFeed(r.Context(), shop.ID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	p := &feedPanel{FeedDescription: d, Every: intervalWords(d.Interval), NextDue: shopTime(d.NextSyncAt.In(loc)),
		DueNow:     !d.NextSyncAt.After(a.Clock.Now()),
		ChangeArgs: fmt.Sprintf("shop add --platform feed --domain %s --feed-url URL --interval %s", shop.Domain, stockbell.ShortDuration(d.Interval))}
	if d.LastSyncAt != nil {
		p.LastRead, p.LastAt = shopTime(d.LastSyncAt.In(loc)), *d.LastSyncAt
	}
	return p, nil
}

// intervalWords writes a feed's interval as people say it: "every 30
// minutes", "every hour", "every 1 hour and 30 minutes", "every 7 days"
// (MinFeedInterval to MaxFeedInterval: never under a minute).
func intervalWords(d time.Duration) string {
	parts := durationParts(d)
	if len(parts) == 1 && strings.HasPrefix(parts[0], "1 ") {
		return "every " + strings.TrimPrefix(parts[0], "1 ")
	}
	if len(parts) > 1 {
		return "every " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return "every " + parts[0]
}

// readFeedNow queues a read of the session's shop's feed and goes back to
// the Sync log saying so. A read asked for while one runs follows it: the
// sync job is unique by shop and runs once more when asked while it runs,
// so nothing is read twice at once.
func (a *Admin) readFeedNow(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	var err error = errNoFeed
	if s.Shop.Platform == stockbell.PlatformFeed {
		err = a.Feeds.QueueSync(r.Context(), s.ShopID)
	}
	if err != nil {
		a.Fail(w, r, s, noFeed(err))
		return
	}
	a.Logger.Info("feed read queued by merchant", "shop_id", s.ShopID, "door", s.Door)
	a.Redirect(w, r, s, syncLogPath, "notice", "feed_read_queued")
}
