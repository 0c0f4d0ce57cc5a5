package bench

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	gomail "github.com/wneessen/go-mail"
)

// mailVariants is how many restocked variants share the mail benchmark's
// subscribers.
const mailVariants = 100

// BenchmarkRestockMail: subscribers queued evenly over 100 sold-out
// variants; all 100 come back in stock at once and the server's own job
// queue runs everything that follows (decisions, chunk claims, rendering,
// sending through the SMTP sender) until the loopback SMTP server has
// every message. peak-rss-MB is the process's peak resident set during
// that time; cpu-ms/email the process's CPU time per email (the SMTP
// server's included) and, on PostgreSQL, pg-cpu-ms/email the database's.
// Beside it, in the same run, the baseline: go-mail sending one
// pre-rendered message as many times over one connection in a plain loop.
//
//	STOCKBELL_BENCH_FULL=1 go test ./bench -run '^$' -bench RestockMail -benchtime 1x -count 5 -timeout 240m
func BenchmarkRestockMail(b *testing.B) {
	subscribers := scaled(200_000)
	for _, dialect := range storetest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			var bare, total mailRun
			for range b.N {
				bare.add(bareMailLoop(b, subscribers))
				total.add(restockMail(b, dialect, subscribers))
			}
			emails := float64(subscribers * b.N)
			rate := emails / total.elapsed.Seconds()
			bareRate := emails / bare.elapsed.Seconds()
			b.ReportMetric(rate, "emails/s")
			b.ReportMetric(bareRate, "bare-emails/s")
			b.ReportMetric(rate/bareRate, "x-bare")
			b.ReportMetric(float64(total.peakRSS)/1024, "peak-rss-MB")
			b.ReportMetric(float64(total.cpu.Microseconds())/1000/emails, "cpu-ms/email")
			b.ReportMetric(float64(bare.cpu.Microseconds())/1000/emails, "bare-cpu-ms/email")
			if total.pgCPU > 0 {
				b.ReportMetric(float64(total.pgCPU.Microseconds())/1000/emails, "pg-cpu-ms/email")
			}
		})
	}
}

// mailRun is what one arm of the mail benchmark took: wall time, the
// process's CPU time, the database's CPU time (PostgreSQL only) and the
// peak RSS in KiB.
type mailRun struct {
	elapsed, cpu, pgCPU time.Duration
	peakRSS             int
}

// add sums run into r (the peak is the larger).
func (r *mailRun) add(run mailRun) {
	r.elapsed += run.elapsed
	r.cpu += run.cpu
	r.pgCPU += run.pgCPU
	r.peakRSS = max(r.peakRSS, run.peakRSS)
}

// restockMail times the restock of n subscribers over mailVariants
// variants to delivery at the SMTP server.
func restockMail(b *testing.B, dialect store.Dialect, n int) mailRun {
	db, dbURL := storetest.OpenURL(b, dialect)
	shop := storetest.MustShop(b, db, stockbell.PlatformShopify, benchDomain)
	at := time.Now().UTC().Add(-time.Hour)
	for v := range mailVariants {
		id := soldOutVariant(b, db, shop.ID, fmt.Sprint("v", v))
		storetest.BulkSubscribe(b, db, shop.ID, id, v*(n/mailVariants), n/mailVariants, at)
	}
	sink := startSMTPSink(b)
	startSending(b, db, dbURL, sink)
	resetPeakRSS(b)
	database := pgDatabase(dbURL)
	pgBefore, cpuBefore := databaseCPU(b, database), processCPU()
	start := time.Now()
	for v := range mailVariants {
		_, err := db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: fmt.Sprint("v", v),
			LocationID: "1", Available: 1_000_000, At: time.Now().UTC()})
		must(b, err)
	}
	want := int64(n / mailVariants * mailVariants)
	waitFor(b, 2*time.Hour, "restock mail", func() bool { return int64(sink.Count()) >= want })
	return mailRun{elapsed: time.Since(start), cpu: processCPU() - cpuBefore, pgCPU: databaseCPU(b, database) - pgBefore, peakRSS: peakRSS(b)}
}

// databaseCPU is pgCPU for a PostgreSQL database, 0 without one.
func databaseCPU(b *testing.B, database string) time.Duration {
	if database == "" {
		return 0
	}
	return pgCPU(b, database)
}

// startSending runs the restock engine and the message sender on db's
// job queue, sending email through the SMTP sender to sink.
func startSending(b *testing.B, db *store.DB, dbURL string, sink *smtptest.Server) {
	logger := slog.New(slog.DiscardHandler)
	clock := stockbell.SystemClock{}
	d, err := delivery.New(delivery.Config{PublicURL: "https://bell.test", SMTP: delivery.SMTPConfig{
		Host: sink.Host(), Port: sink.Port(0), Security: delivery.SMTPNone, FromAddress: "alerts@bell.test",
		RatePerSecond: 1e9, Burst: 1_000_000, Timeout: 10 * time.Second,
	}}, delivery.Deps{Key: []byte(strings.Repeat("k", 32)), Subscriptions: db, Shops: db, Catalog: db, Clicks: db, Clock: clock})
	must(b, err)
	b.Cleanup(func() { d.Close() })
	workers := jobs.NewWorkers()
	engine := &restock.Engine{Store: db, Clock: clock, Logger: logger}
	jobs.Handle(workers, engine.HandleStockChanged, 0)
	jobs.Handle(workers, engine.HandleWaitEnded, 0)
	jobs.Handle(workers, engine.HandleBatch, 0)
	messenger := &restock.Messenger{Store: db, Renderer: d.Renderer, Sender: d.Sender, Clock: clock, Logger: logger}
	jobs.Handle(workers, messenger.HandleSendMessage, 0)
	startQueue(b, db, dbURL, workers)
}

// startSMTPSink runs a loopback SMTP server that only counts the messages
// it accepts, so that keeping them weighs on neither arm's memory or CPU.
func startSMTPSink(b *testing.B) *smtptest.Server {
	return smtptest.Start(b, smtptest.Options{CountOnly: true})
}

// bareMailLoop times go-mail sending one message n times over one
// connection to a fresh sink.
func bareMailLoop(b *testing.B, n int) mailRun {
	sink := startSMTPSink(b)
	msg := gomail.NewMsg()
	must(b, msg.From("alerts@bell.test"))
	must(b, msg.To("shopper@example.com"))
	msg.Subject("Bell is back in stock")
	msg.SetBodyString(gomail.TypeTextPlain, strings.Repeat("Bell is back in stock. ", 40))
	msg.AddAlternativeString(gomail.TypeTextHTML, "<p>"+strings.Repeat("Bell is back in stock. ", 400)+"</p>")
	client, err := gomail.NewClient(sink.Host(), gomail.WithPort(sink.Port(0)), gomail.WithTLSPolicy(gomail.NoTLS))
	must(b, err)
	must(b, client.DialWithContext(ctx))
	defer client.Close()
	start, cpuBefore := time.Now(), processCPU()
	for range n {
		must(b, client.Send(msg))
	}
	return mailRun{elapsed: time.Since(start), cpu: processCPU() - cpuBefore}
}

// resetPeakRSS starts the process's peak resident set size again from
// the current one (Linux: 5 written to clear_refs).
func resetPeakRSS(b *testing.B) {
	must(b, os.WriteFile("/proc/self/clear_refs", []byte("5"), 0))
}

// peakRSS returns the process's peak resident set size in KiB (VmHWM).
func peakRSS(b *testing.B) int {
	status, err := os.ReadFile("/proc/self/status")
	must(b, err)
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			must(b, err)
			return kb
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
