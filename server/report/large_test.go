package report_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// queueMany queues n subscribers spread over variants of one product, in
// one statement per variant.
func queueMany(tb testing.TB, db *store.DB, shopID int64, variants, n int) {
	tb.Helper()
	prices := map[string]string{}
	for i := range variants {
		prices[fmt.Sprintf("v-%02d", i)] = "9.99"
	}
	addProduct(tb, db, shopID, "p-many", "Many", prices, nil)
	at := time.Date(2025, 1, 5, 12, 0, 0, 0, time.UTC)
	for name := range prices {
		v := findVariant(tb, db, shopID, name)
		_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO subscriptions (shop_id, variant_id, email, phone, channels, status, created_at, updated_at)
			SELECT ?, ?, 'shopper' || i || '@example.com', '', 'email', 'queued', ?, ? FROM n`), n/variants, shopID, v.ID, at, at)
		must(tb, err)
	}
}

// peakWriter counts the rows written and samples the heap as they pass.
type peakWriter struct {
	rows, bytes, next int
	peak              uint64
}

func (w *peakWriter) Write(p []byte) (int, error) {
	w.rows += bytes.Count(p, []byte("\n"))
	w.bytes += len(p)
	if w.bytes >= w.next {
		w.next += 256 << 10
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.peak = max(w.peak, m.HeapAlloc)
	}
	return len(p), nil
}

// TestQueuedExportStreams exports 200,000 queued subscribers and checks that
// the heap stays far below what holding the rows (or the file) would take:
// the file alone is about 25 MB.
func TestQueuedExportStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("a large export")
	}
	const subscribers = 200_000
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, clock := newShop(t, db, "large.myshopify.com")
		start := time.Now()
		queueMany(t, db, shop.ID, 10, subscribers)
		t.Logf("queued in %s", time.Since(start))
		start = time.Now()
		defer func() { t.Logf("exported in %s", time.Since(start)) }()
		reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		out := &peakWriter{}
		must(t, reports.WriteQueuedCSV(ctx, out, shop.ID, report.CSVOptions{BOM: true}))
		if out.rows != subscribers+1 {
			t.Fatalf("%d lines written, want %d", out.rows, subscribers+1)
		}
		growth := int64(out.peak) - int64(before.HeapAlloc)
		t.Logf("%d rows, %.1f MB written, heap grew by at most %.1f MB", out.rows, float64(out.bytes)/1e6, float64(growth)/1e6)
		if growth > 16<<20 {
			t.Fatalf("the heap grew by %.1f MB while exporting %.1f MB: the export is not streamed", float64(growth)/1e6, float64(out.bytes)/1e6)
		}
	})
}

// queuedReads is the store counting the queued subscribers it reads.
type queuedReads struct {
	stockbell.ReportStore
	read int
}

func (s *queuedReads) EachQueuedSubscriber(ctx context.Context, shopID int64, fn func(*stockbell.QueuedSubscriber) error) error {
	return s.ReportStore.EachQueuedSubscriber(ctx, shopID, func(q *stockbell.QueuedSubscriber) error {
		s.read++
		return fn(q)
	})
}

// TestScheduledReportTooLargeToAttach: a waiting list whose CSV passes
// 10 MB is emailed without it, saying where to download it and not that
// it is attached; its export stops reading once the file passed 10 MB.
func TestScheduledReportTooLargeToAttach(t *testing.T) {
	if testing.Short() {
		t.Skip("a large export")
	}
	const subscribers = 150_000 // about 16 MB of CSV
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop, clock := newShop(t, db, "huge.myshopify.com")
		queueMany(t, db, shop.ID, 10, subscribers)
		reads := &queuedReads{ReportStore: db}
		f := &fixture{db: db, shop: shop, clock: clock, reports: &report.Reports{Store: reads, Settings: db, Demand: db, Shops: db, Clock: clock}}
		sink := startSMTPSink(t)
		scheduler := newScheduler(t, f, sink)
		sub := subscribeReport(t, db, shop.ID, "owner@example.com", stockbell.ReportQueuedSubscribers, stockbell.ReportWeekly)
		out, err := scheduler.Compose(ctx, &stockbell.ReportDelivery{Subscription: *sub, PeriodStart: "2024-12-23", PeriodEnd: "2024-12-29"})
		must(t, err)
		_, err = scheduler.Sender.Send(ctx, *out)
		must(t, err)
		if reads.read >= subscribers {
			t.Errorf("the export read all %d subscribers, though the file passed 10 MB long before", reads.read)
		}
		mails := sink.mails(t)
		if len(mails) != 1 {
			t.Fatalf("%d emails, want 1", len(mails))
		}
		m := mails[0]
		if len(m.Attachments) != 0 || !strings.Contains(m.Text, "shoppers are waiting for 10 variants") ||
			!strings.Contains(m.Text, "larger than 10 MB") || !strings.Contains(m.Text, "download it from Reports in the Stockbell admin") ||
			strings.Contains(m.Text, "attached") {
			t.Fatalf("the email of a waiting list too large to attach: attachments %v\n%s", keys(m.Attachments), m.Text)
		}
	})
}
