package report_test

import (
	"database/sql"
	"encoding/csv"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/report"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// benchSubscribers is how many queued subscribers the export benchmark
// writes (STOCKBELL_BENCH_SUBSCRIBERS overrides it for a quick run).
func benchSubscribers() int {
	if n, err := strconv.Atoi(os.Getenv("STOCKBELL_BENCH_SUBSCRIBERS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchRuns is how many times each side runs; medians are reported.
const benchRuns = 5

// BenchmarkQueuedExport exports every queued subscriber of a shop to CSV on
// each database, alternating with a baseline over the same rows in the
// same run: a bare SELECT of the same columns, scanned into strings and
// written with encoding/csv. It reports medians of benchRuns runs: rows per
// second of each, their ratio, and the process's peak resident memory
// during each (VmHWM, reset before every run).
//
//	go test -run '^$' -bench BenchmarkQueuedExport -benchtime 1x -timeout 60m ./server/report/
func BenchmarkQueuedExport(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			db := storetest.Open(b, dialect)
			shop, clock := newShop(b, db, "bench.myshopify.com")
			n := benchSubscribers()
			queueMany(b, db, shop.ID, 10, n)
			reports := &report.Reports{Store: db, Settings: db, Demand: db, Shops: db, Clock: clock}
			var export, baseline, exportRSS, baselineRSS []float64
			b.ResetTimer()
			for range b.N {
				for range benchRuns {
					rate, rss := measure(b, n, func(w io.Writer) error { return reports.WriteQueuedCSV(ctx, w, shop.ID, report.CSVOptions{}) })
					export, exportRSS = append(export, rate), append(exportRSS, rss)
					rate, rss = measure(b, n, func(w io.Writer) error { return bareExport(db, shop.ID, w) })
					baseline, baselineRSS = append(baseline, rate), append(baselineRSS, rss)
				}
			}
			b.ReportMetric(median(export), "export-rows/s")
			b.ReportMetric(median(baseline), "baseline-rows/s")
			b.ReportMetric(median(export)/median(baseline), "ratio")
			b.ReportMetric(median(exportRSS), "export-peak-RSS-MB")
			b.ReportMetric(median(baselineRSS), "baseline-peak-RSS-MB")
		})
	}
}

// measure runs one export into a line counter and returns rows per second
// and the peak resident memory in MB while it ran.
func measure(b *testing.B, rows int, export func(io.Writer) error) (float64, float64) {
	b.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS(b)
	out := &peakWriter{}
	start := time.Now()
	if err := export(out); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	if out.rows < rows {
		b.Fatalf("%d lines written, want at least %d", out.rows, rows)
	}
	return float64(rows) / elapsed.Seconds(), peakRSS(b)
}

// bareExport is the baseline: the same rows in the same order, scanned
// into strings and written with encoding/csv, nothing else.
func bareExport(db *store.DB, shopID int64, w io.Writer) error {
	rows, err := db.DB.QueryContext(ctx, db.DB.Rebind(`SELECT s.id, s.variant_id, v.product_id, p.title, v.title, v.sku, s.email, s.phone,
			s.channels, s.created_at
		FROM subscriptions s JOIN variants v ON v.id = s.variant_id JOIN products p ON p.id = v.product_id
		WHERE s.shop_id = ? AND s.status = ? ORDER BY s.variant_id, s.created_at, s.id`), shopID, stockbell.SubscriptionQueued)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := csv.NewWriter(w)
	record := make([]string, 10)
	dest := make([]any, 10)
	for i := range dest {
		dest[i] = &sql.RawBytes{}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for i, d := range dest {
			record[i] = string(*d.(*sql.RawBytes))
		}
		if err := out.Write(record); err != nil {
			return err
		}
	}
	out.Flush()
	return rows.Err()
}

// resetPeakRSS resets the process's peak resident set size (Linux).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS: %v", err)
	}
}

// peakRSS reads the process's peak resident set size in MB (VmHWM).
func peakRSS(b *testing.B) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
