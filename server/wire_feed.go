package main

import (
	"log/slog"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
)

// newFeedIntegration builds the feed integration on the database, for the
// server and for the feed commands alike: credentials sealed for their shop
// with the token sealer, documents capped at STOCKBELL_FEED_MAX_BYTES,
// private and loopback addresses allowed in development only.
func newFeedIntegration(cfg *Config, db *store.DB, queue stockbell.JobInserter, sealer stockbell.TokenSealer, logger *slog.Logger) *feed.Integration {
	fetcher := feed.NewFetcher(feed.FetchConfig{MaxBytes: cfg.FeedMaxBytes, AllowPrivate: cfg.Development()})
	return &feed.Integration{Feeds: db, Shops: db, Catalog: db, Fetcher: fetcher, Sealer: sealer, Jobs: queue,
		Clock: stockbell.SystemClock{}, Logger: logger}
}

// wireFeed registers the feed sync jobs and the scheduler (every minute,
// leader only). The integration is built before the admin, whose Sync log
// page shows a feed shop's feed and reads it on request through it.
func (m *Main) wireFeed(workers *jobs.Workers, in *feed.Integration) {
	jobs.Handle(workers, in.HandleSync, 30*time.Minute)
	jobs.Handle(workers, in.HandleSchedule, time.Minute)
	jobs.Every(workers, time.Minute, func() stockbell.JobArgs { return stockbell.FeedScheduleJob{} })
}
