package demo

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// CatalogSource names the demo catalog in the sync log.
const CatalogSource = "demo:catalog"

// syncLogExamples are the sync log entries a new demo shop starts with, so
// that its Sync log page shows what a failed sync, a sync and a rejected
// item look like: an example failure, then the seed's load of the
// catalog with an example rejection. The success ends the failure, so no
// banner stays up.
func syncLogExamples(shopID int64, now time.Time) []stockbell.SyncReport {
	variants := 0
	for _, p := range Products {
		variants += len(p.Variants)
	}
	failed := stockbell.SyncReport{ShopID: shopID, Source: CatalogSource, StartedAt: now, FinishedAt: now,
		Failure: "Example failure: the demo catalog could not be read. A real source's failure says why " +
			"(the feed's HTTP status, the byte where its JSON breaks, the permission the platform refused) and what to fix."}
	loaded := stockbell.SyncReport{ShopID: shopID, Source: CatalogSource, StartedAt: now, FinishedAt: now,
		Items: variants + 1, Changed: variants, Rejections: []stockbell.SyncRejection{{Position: variants + 1, ID: "gift-card",
			Reason: "Example rejection: the item has no price, so Stockbell left it out and applied the others."}}}
	return []stockbell.SyncReport{failed, loaded}
}

// RecordSyncLogExamples writes syncLogExamples to the demo shop's sync log.
func RecordSyncLogExamples(ctx context.Context, log stockbell.SyncLogService, shopID int64, now time.Time) error {
	for _, report := range syncLogExamples(shopID, now) {
		if err := log.RecordSync(ctx, report); err != nil {
			return err
		}
	}
	return nil
}
