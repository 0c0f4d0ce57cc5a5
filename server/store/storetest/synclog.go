package storetest

import (
	"context"
	"encoding/json"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// SyncEntry is a sync's summary in a shop's sync log, as tests read it.
type SyncEntry struct {
	Kind        stockbell.EventKind
	Source      string `json:"source"`
	Items       int    `json:"items"`
	Unpublished int    `json:"unpublished"`
	Reason      string `json:"reason"`
	Failures    int    `json:"failures"`
}

// SyncLog returns the summaries of the shop's syncs from source, newest
// first, and the reason of the source's failure the admin's banner shows
// ("" when its latest sync did not fail).
func SyncLog(tb testing.TB, db *store.DB, shopID int64, source string) (entries []SyncEntry, banner string) {
	tb.Helper()
	ctx := context.Background()
	events, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shopID})
	if err != nil {
		tb.Fatal(err)
	}
	for _, ev := range events {
		if entry := syncEntry(tb, ev); entry.Source == source && ev.Kind != stockbell.EventSyncItemRejected {
			entries = append(entries, entry)
		}
	}
	failing, err := db.FindFailingSyncs(ctx, shopID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, ev := range failing {
		if entry := syncEntry(tb, ev); entry.Source == source {
			banner = entry.Reason
		}
	}
	return entries, banner
}

func syncEntry(tb testing.TB, ev *stockbell.Event) SyncEntry {
	tb.Helper()
	entry := SyncEntry{Kind: ev.Kind}
	if err := json.Unmarshal([]byte(ev.Detail), &entry); err != nil {
		tb.Fatalf("sync log detail %s: %v", ev.Detail, err)
	}
	return entry
}
