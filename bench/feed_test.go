package bench

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// feedItems is the size of the catalog feed benchmarked.
const feedItems = 100_000

// BenchmarkFeedSync syncs a 100,000-item catalog feed (JSON and XML, one
// item per variant, served from a file by a loopback feed host) on each
// database with the production batch size, in four steps on one fresh
// database: the first sync (peak-rss-MB is the process's peak resident
// set during it), a resync with 1% of the quantities changed, a resync of
// an unchanged feed answered 304, and one of an unchanged feed whose host
// sends no validators (read and compared in full). Beside them, in the same
// run, the baseline: parsing the same file with encoding/json or
// encoding/xml into nothing. Each step is reported in
// seconds and as a multiple of the baseline.
//
//	go test ./bench -run '^$' -bench FeedSync -benchtime 1x -count 5 -timeout 60m
func BenchmarkFeedSync(b *testing.B) {
	for _, format := range []string{"json", "xml"} {
		first, changed := feedFile(b, format, 0), feedFile(b, format, 1)
		for _, dialect := range storetest.Dialects(b) {
			b.Run(format+"/"+string(dialect), func(b *testing.B) {
				for range b.N {
					parse := parseBaseline(b, format, first)
					steps := syncSteps(b, dialect, format, first, changed)
					b.ReportMetric(parse.Seconds(), "parse-s")
					for _, s := range steps {
						b.ReportMetric(s.took.Seconds(), s.name+"-s")
						b.ReportMetric(s.took.Seconds()/parse.Seconds(), s.name+"-x-parse")
					}
					b.ReportMetric(float64(steps[0].peakKiB)/1024, "first-peak-rss-MB")
				}
			})
		}
	}
}

// feedFile writes the feed document to a file: every item's quantity is
// i%3, except that with changed set every hundredth item has 3 more.
func feedFile(b *testing.B, format string, changed int) string {
	gen := feedtest.Stream(format, feedItems, 0)
	gen.Quantity = func(i int) int {
		if changed > 0 && i%100 == 0 {
			return i%3 + 3
		}
		return i % 3
	}
	path := filepath.Join(b.TempDir(), "feed."+format)
	file, err := os.Create(path)
	must(b, err)
	_, err = io.Copy(file, gen)
	must(b, err)
	must(b, file.Close())
	return path
}

type syncStep struct {
	name    string
	took    time.Duration
	peakKiB int
}

// syncSteps runs the four syncs on a fresh database and times each.
func syncSteps(b *testing.B, dialect store.Dialect, format, first, changed string) []syncStep {
	db := storetest.Open(b, dialect)
	host := feedtest.NewServer()
	b.Cleanup(host.Close)
	contentType := map[string]string{"json": "application/json", "xml": "application/xml"}[format]
	host.Set("/feed", feedtest.Feed{File: first, ContentType: contentType})
	sealer, err := oauth.NewSealer(bytes.Repeat([]byte("k"), 32))
	must(b, err)
	in := &feed.Integration{Feeds: db, Shops: db, Catalog: db, Fetcher: feed.NewFetcher(feed.FetchConfig{AllowPrivate: true}),
		Sealer: sealer, Jobs: db.Queue.(stockbell.JobInserter), Clock: stockbell.SystemClock{}, Logger: slog.New(slog.DiscardHandler)}
	shop, _, err := in.Connect(ctx, stockbell.FeedSettings{Domain: "feed.example.com", URL: host.URL("/feed")})
	must(b, err)
	run := func(name string, wantChanged int, notModified bool) syncStep {
		resetPeakRSS(b)
		start := time.Now()
		report, err := in.Sync(ctx, shop.ID, feed.SyncOptions{})
		took := time.Since(start)
		must(b, err)
		if report.Failed() || report.NotModified != notModified || wantChanged >= 0 && report.Changed != wantChanged {
			b.Fatalf("%s: %+v", name, report)
		}
		return syncStep{name: name, took: took, peakKiB: peakRSS(b)}
	}
	steps := []syncStep{run("first", -1, false)}
	host.Set("/feed", feedtest.Feed{File: changed, ContentType: contentType})
	steps = append(steps, run("resync-1pct", feedItems/100, false))
	steps = append(steps, run("nochange-304", 0, true))
	host.Set("/feed", feedtest.Feed{File: changed, ContentType: contentType, NoValidators: true})
	steps = append(steps, run("nochange-full", 0, false))
	return steps
}

// parseBaseline times parsing the file with the standard library's
// decoder of the format, keeping nothing: XML as a token loop, JSON as its
// opening bracket, then each item into an empty struct.
func parseBaseline(b *testing.B, format, path string) time.Duration {
	file, err := os.Open(path)
	must(b, err)
	defer file.Close()
	start := time.Now()
	var next func() (any, error)
	if format == "xml" {
		dec := xml.NewDecoder(file)
		next = func() (any, error) { return dec.Token() }
	} else {
		// The array's items one by one, each decoded into an empty struct
		// (every byte parsed and checked, nothing kept).
		dec := json.NewDecoder(file)
		next = func() (any, error) {
			if dec.More() {
				return nil, dec.Decode(&struct{}{})
			}
			return dec.Token()
		}
	}
	for {
		if _, err := next(); err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}
