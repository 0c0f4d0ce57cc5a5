package store_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func detailOf(t *testing.T, e *stockbell.Event) map[string]any {
	t.Helper()
	var d map[string]any
	must(t, json.Unmarshal([]byte(e.Detail), &d))
	return d
}

func TestRecordSync(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformFeed, "feed.example.com")
		other := install(t, db, stockbell.PlatformFeed, "other.example.com")
		start := clock.Now()
		clock.Add(time.Minute)
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: "feed", StartedAt: start,
			FinishedAt: start.Add(1500 * time.Millisecond), Items: 10, Changed: 3, Unpublished: 1,
			Rejections: []stockbell.SyncRejection{{Position: 4, ID: "", Reason: "item has no id"}, {Position: 7, ID: "B", Reason: "negative inventory_quantity"}}}))
		clock.Add(time.Minute)
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: "feed", Failure: "malformed JSON at byte 120"}))
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: other.ID, Source: "feed", NotModified: true}))

		log, total, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID})
		must(t, err)
		kinds := []stockbell.EventKind{}
		for _, e := range log {
			kinds = append(kinds, e.Kind)
		}
		want := fmt.Sprint([]stockbell.EventKind{stockbell.EventSyncFailed, stockbell.EventSyncFinished, stockbell.EventSyncItemRejected, stockbell.EventSyncItemRejected})
		if total != 4 || fmt.Sprint(kinds) != want {
			t.Fatalf("sync log = %v (total %d), want %s", kinds, total, want)
		}
		if d := detailOf(t, log[0]); d["reason"] != "malformed JSON at byte 120" || d["source"] != "feed" {
			t.Errorf("failure detail = %v", d)
		}
		d := detailOf(t, log[1])
		if d["items"] != 10.0 || d["changed"] != 3.0 || d["unpublished"] != 1.0 || d["rejected"] != 2.0 || d["duration_ms"] != 1500.0 || d["not_modified"] != false {
			t.Errorf("summary detail = %v", d)
		}
		// Rejections keep their document order: position 7 was written last.
		if d := detailOf(t, log[2]); d["position"] != 7.0 || d["id"] != "B" || d["reason"] != "negative inventory_quantity" {
			t.Errorf("newest rejection = %v", d)
		}
		kind := stockbell.EventSyncItemRejected
		_, total, err = db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &kind})
		must(t, err)
		if total != 2 {
			t.Errorf("%d rejections, want 2", total)
		}
		otherLog, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: other.ID})
		must(t, err)
		if len(otherLog) != 1 || detailOf(t, otherLog[0])["not_modified"] != true {
			t.Errorf("other shop's log = %v", otherLog)
		}
		// The sync log is part of the shop's activity log.
		_, all, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shop.ID})
		must(t, err)
		if all != 5 { // installed + 4
			t.Errorf("%d activity events, want 5", all)
		}
	})
}

// TestFindSyncLogListsEveryKind: the sync log holds an event of each kind
// of stockbell.SyncEventKinds, however many there are, and no other event
// of the shop.
func TestFindSyncLogListsEveryKind(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformFeed, "feed.example.com")
		for _, kind := range stockbell.SyncEventKinds {
			_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, kind, detail, created_at) VALUES (?, ?, ?, ?)`),
				shop.ID, kind, `{"source":"feed"}`, db.Clock.Now())
			must(t, err)
		}
		log, total, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID})
		must(t, err)
		var kinds []stockbell.EventKind
		for _, e := range log {
			kinds = append(kinds, e.Kind)
		}
		slices.Sort(kinds)
		want := slices.Sorted(slices.Values(stockbell.SyncEventKinds))
		if total != len(want) || !slices.Equal(kinds, want) {
			t.Fatalf("sync log = %v (total %d), want one of each of %v", kinds, total, want)
		}
	})
}

func TestRecordSyncBoundsRejections(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformFeed, "feed.example.com")
		report := stockbell.SyncReport{ShopID: shop.ID, Source: "feed", Items: 500, Rejected: 250}
		for i := 1; i <= 150; i++ {
			report.Rejections = append(report.Rejections, stockbell.SyncRejection{Position: i, ID: fmt.Sprint(i), Reason: "duplicate id"})
		}
		must(t, db.RecordSync(ctx, report))
		kind := stockbell.EventSyncItemRejected
		_, total, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &kind})
		must(t, err)
		if total != stockbell.MaxSyncRejectionsLogged {
			t.Errorf("%d rejections logged, want %d", total, stockbell.MaxSyncRejectionsLogged)
		}
		summary := stockbell.EventSyncFinished
		log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &summary})
		must(t, err)
		if d := detailOf(t, log[0]); d["rejected"] != 250.0 || d["rejections_logged"] != 100.0 {
			t.Errorf("summary = %v", d)
		}
	})
}

func TestRecordSyncRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformFeed, "feed.example.com")
		wantCode(t, db.RecordSync(ctx, stockbell.SyncReport{Source: "feed"}), stockbell.EINVALID, "shop_id")
		wantCode(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID}), stockbell.EINVALID, "source")
		wantCode(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID + 100, Source: "feed"}), stockbell.ENOTFOUND, "")
		kind := stockbell.EventStockChanged
		_, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID, Kind: &kind})
		wantCode(t, err, stockbell.EINVALID, "kind")
	})
}

// TestRecordSyncRepeatedFailureIsOneEntry: a source that fails the same
// way run after run (a scope not granted, met by every reconciliation) is
// one entry of the sync log, moved to the latest failure and counting
// them; another source's entries in between do not end it, and a
// different failure, a success or a failure with rejections of the same
// source is a new entry, as is the same failure after it.
func TestRecordSyncRepeatedFailureIsOneEntry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		other := install(t, db, stockbell.PlatformBigCommerce, "stores/def456")
		const source, refused = "bigcommerce:reconcile", "BigCommerce refused GET /v3/catalog/products (403): grant Products read-only"
		first := clock.Now()
		fail := func(shopID int64, source, reason string) {
			t.Helper()
			clock.Add(15 * time.Minute)
			must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shopID, Source: source, Failure: reason,
				StartedAt: clock.Now(), FinishedAt: clock.Now().Add(time.Second)}))
		}
		first = first.Add(15 * time.Minute)
		fail(shop.ID, source, refused)
		fail(shop.ID, source, refused)
		fail(shop.ID, "bigcommerce:hooks", refused)
		fail(other.ID, source, refused)
		fail(shop.ID, source, refused)
		log := syncLog(t, db, shop.ID)
		if len(log) != 2 {
			t.Fatalf("sync log = %s, want the hook check's failure and one entry for the three reconciliations", entries(t, log))
		}
		d := detailOf(t, log[0])
		if d["source"] != source || d["reason"] != refused || d["failures"] != 3.0 || !log[0].CreatedAt.Equal(clock.Now()) ||
			d["first_failed_at"] != first.Format(time.RFC3339) || d["started_at"] != clock.Now().Format(time.RFC3339) {
			t.Fatalf("repeated failure = %v at %v, want 3 failures since %v, the latest at %v", d, log[0].CreatedAt, first, clock.Now())
		}
		if n := len(syncLog(t, db, other.ID)); n != 1 {
			t.Fatalf("the other store's log has %d entries, want its own failure", n)
		}

		fail(shop.ID, source, "BigCommerce answered 500")
		fail(shop.ID, source, refused)
		clock.Add(time.Minute)
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: source, Items: 2}))
		fail(shop.ID, source, refused)
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: source, Failure: refused,
			Rejections: []stockbell.SyncRejection{{Position: 1, ID: "7", Reason: "no price"}}}))
		fail(shop.ID, source, refused)
		log = syncLog(t, db, shop.ID)
		if got := entries(t, log); len(log) != 9 {
			t.Fatalf("sync log = %s, want each change of outcome to be an entry of its own", got)
		}
		if d := detailOf(t, log[0]); d["failures"] != nil {
			t.Fatalf("a failure after a failure with rejections = %v, want a new entry", d)
		}
	})
}

func syncLog(t *testing.T, db *store.DB, shopID int64) []*stockbell.Event {
	t.Helper()
	log, _, err := db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shopID})
	must(t, err)
	return log
}

func entries(t *testing.T, log []*stockbell.Event) string {
	var out []string
	for _, e := range log {
		out = append(out, fmt.Sprintf("%s %s", e.Kind, e.Detail))
	}
	return fmt.Sprint(out)
}

// TestRecordSyncQuietSuccess: the success of a run logged only when it
// fails is recorded only when it ends a failure of its source.
func TestRecordSyncQuietSuccess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformMagento, "magento.example.com")
		const source = "magento:reconcile"
		quiet := stockbell.SyncReport{ShopID: shop.ID, Source: source, Items: 3, Quiet: true}
		must(t, db.RecordSync(ctx, quiet))
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: "magento:catalog", Failure: "refused"}))
		must(t, db.RecordSync(ctx, quiet))
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: source, Failure: "refused"}))
		must(t, db.RecordSync(ctx, quiet))
		must(t, db.RecordSync(ctx, quiet))
		log := syncLog(t, db, shop.ID)
		if len(log) != 3 || log[0].Kind != stockbell.EventSyncFinished || detailOf(t, log[0])["source"] != source {
			t.Fatalf("sync log = %s, want the catalog's failure, the reconciliation's, and the one success that ended it", entries(t, log))
		}
	})
}

// TestFindFailingSyncs: a source is failing while its latest entry is a
// failure, with or without rejections, repeated or not; a later success
// of that source (a Quiet one too) ends it, and another source's entries
// do not.
func TestFindFailingSyncs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformMagento, "magento.example.com")
		record := func(r stockbell.SyncReport) {
			t.Helper()
			clock.Add(time.Minute)
			r.ShopID = shop.ID
			must(t, db.RecordSync(ctx, r))
		}
		failing := func(want ...string) {
			t.Helper()
			events, err := db.FindFailingSyncs(ctx, shop.ID)
			must(t, err)
			var got []string
			for _, e := range events {
				d := detailOf(t, e)
				got = append(got, fmt.Sprint(d["source"], ": ", d["reason"]))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("failing syncs = %q, want %q", got, want)
			}
		}
		failing()
		record(stockbell.SyncReport{Source: "feed", Failure: "malformed JSON",
			Rejections: []stockbell.SyncRejection{{Position: 2, ID: "x", Reason: "no price"}}})
		record(stockbell.SyncReport{Source: "magento:reconcile", Failure: "grant Magento_Catalog::products"})
		record(stockbell.SyncReport{Source: "magento:reconcile", Failure: "grant Magento_Catalog::products"})
		failing("magento:reconcile: grant Magento_Catalog::products", "feed: malformed JSON")
		record(stockbell.SyncReport{Source: "feed", Failure: "malformed JSON"})
		record(stockbell.SyncReport{Source: "magento:catalog", Items: 3})
		failing("feed: malformed JSON", "magento:reconcile: grant Magento_Catalog::products")
		record(stockbell.SyncReport{Source: "magento:reconcile", Items: 3, Quiet: true})
		record(stockbell.SyncReport{Source: "feed", Failure: "unreachable",
			Rejections: []stockbell.SyncRejection{{Position: 1, ID: "y", Reason: "no id"}}})
		failing("feed: unreachable")
		record(stockbell.SyncReport{Source: "feed", Items: 4, Quiet: true})
		failing()
	})
}

// TestQuietSuccessOnlyReadsWhenNothingFails: the quiet success of a
// periodic run whose source is not failing, the common case, only reads:
// it goes through while another transaction holds the write lock
// (SQLite's single writer; on PostgreSQL, the tables it reads locked
// against writers), and an unknown shop is still ENOTFOUND. Once the
// writer is gone, a quiet success ending a failure is recorded.
func TestQuietSuccessOnlyReadsWhenNothingFails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformMagento, "magento.example.com")
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: "magento:catalog", Failure: "refused"}))
		quiet := stockbell.SyncReport{ShopID: shop.ID, Source: "magento:reconcile", Items: 3, Quiet: true}
		writer, err := db.BeginTx(ctx, nil)
		must(t, err)
		if db.Dialect == store.Postgres {
			_, err = writer.ExecContext(ctx, `LOCK TABLE shops, sync_failures, events IN EXCLUSIVE MODE`)
			must(t, err)
		}
		_, err = writer.ExecContext(ctx, writer.Rebind(`UPDATE shops SET domain = domain WHERE id = ?`), shop.ID)
		must(t, err)
		quietErr := db.RecordSync(ctx, quiet)
		unknown := quiet
		unknown.ShopID = shop.ID + 100
		unknownErr := db.RecordSync(ctx, unknown)
		must(t, writer.Rollback())
		must(t, quietErr)
		wantCode(t, unknownErr, stockbell.ENOTFOUND, "")

		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: quiet.Source, Failure: "refused"}))
		must(t, db.RecordSync(ctx, quiet))
		if log := syncLog(t, db, shop.ID); len(log) != 3 || log[0].Kind != stockbell.EventSyncFinished {
			t.Fatalf("sync log = %s, want two failures and the success that ended the second", entries(t, log))
		}
	})
}

// TestUpsertProductRecordsTheRecovery: an upsert carrying the Quiet
// success of the read it applies (ProductUpsert.Recovered) records it in
// its own transaction: nothing while the source is not failing, and the
// entry that ends the source's failure when it is; once ended, the next
// one writes nothing again. A success of another shop is refused.
func TestUpsertProductRecordsTheRecovery(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "recovery.myshopify.com")
		const source = "shopify:reread"
		upsert := func(shopID int64) error {
			t.Helper()
			_, err := db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Lamp", Published: true,
				Variants:  []stockbell.VariantUpsert{{PlatformID: "v1", InventoryItemID: "inv-v1", Tracked: true}},
				Recovered: &stockbell.SyncReport{ShopID: shopID, Source: source, Items: 1, Quiet: true}})
			return err
		}
		must(t, upsert(shop.ID))
		if log := syncLog(t, db, shop.ID); len(log) != 0 {
			t.Fatalf("an upsert with nothing failing logged %s", entries(t, log))
		}
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: source, Failure: "refused"}))
		must(t, upsert(shop.ID))
		must(t, upsert(shop.ID))
		if log := syncLog(t, db, shop.ID); len(log) != 2 || log[0].Kind != stockbell.EventSyncFinished || detailOf(t, log[0])["source"] != source {
			t.Fatalf("sync log = %s, want the failure and the one success that ended it", entries(t, log))
		}
		if failing, err := db.FindFailingSyncs(ctx, shop.ID); err != nil || len(failing) != 0 {
			t.Fatalf("failing syncs after the recovery = %v, %v", failing, err)
		}
		other := install(t, db, stockbell.PlatformShopify, "other.myshopify.com")
		wantCode(t, upsert(other.ID), stockbell.EINVALID, "recovered")
	})
}

// TestSyncFinishedSince: a sync the shop's log records as finished from
// the source after the time counts; one finished before it, one that
// failed, one from another source, and another shop's do not.
func TestSyncFinishedSince(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformMagento, "shop.example.com")
		other := install(t, db, stockbell.PlatformMagento, "other.example.com")
		before := clock.Now()
		clock.Add(time.Minute)
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: shop.ID, Source: "magento:catalog", Items: 3}))
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: other.ID, Source: "magento:catalog", Failure: "refused"}))
		must(t, db.RecordSync(ctx, stockbell.SyncReport{ShopID: other.ID, Source: "magento:module", Items: 1}))
		after := clock.Now()
		for _, c := range []struct {
			shopID int64
			source string
			since  time.Time
			want   bool
		}{
			{shop.ID, "magento:catalog", before, true},
			{shop.ID, "magento:catalog", after, false},
			{shop.ID, "magento:module", before, false},
			{other.ID, "magento:catalog", before, false},
			{9999, "magento:catalog", before, false},
		} {
			got, err := db.SyncFinishedSince(ctx, c.shopID, c.source, c.since)
			must(t, err)
			if got != c.want {
				t.Errorf("SyncFinishedSince(shop %d, %s, %s) = %v, want %v", c.shopID, c.source, c.since, got, c.want)
			}
		}
	})
}
