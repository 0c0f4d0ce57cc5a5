package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// replicaURLFileEnv makes TestReplicaProcess run: the file receives the
// replica's URL once it serves.
const replicaURLFileEnv = "STOCKBELL_TEST_REPLICA_URL_FILE"

const (
	// replicaSubscribers makes ten send jobs more than two replicas'
	// sending workers can hold at once, so that the two fast replicas
	// cannot take them all before the slow one, the one killed, takes some.
	// With 3,000 (30 jobs, for two replicas' 40 workers) the slow replica
	// was sometimes running none when it was killed.
	replicaSubscribers = (2*jobs.SendWorkers + 10) * stockbell.SendJobMessages
	replicaMetricsKey  = "replica-metrics-token"
	// recoveryBudget is the promise: a killed replica's subscribers are
	// notified by the others within 90 s of the kill.
	recoveryBudget = 90 * time.Second
)

// TestReplicaProcess is one server replica: the real server, configured
// from the environment exactly as in production. It runs only as a child
// of TestThreeReplicasOneKilled and lives until killed or until its
// parent goes (its standard input closes).
func TestReplicaProcess(t *testing.T) {
	urlFile := os.Getenv(replicaURLFileEnv)
	if urlFile == "" {
		t.Skip("runs as a child of TestThreeReplicasOneKilled")
	}
	cfg, err := loadConfig(&cliEnv{getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg, newLogger(cfg, os.Stderr))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := os.WriteFile(urlFile, []byte(m.URL()), 0o600); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, os.Stdin)
}

// replica is a server process started by the kill test.
type replica struct {
	cmd *exec.Cmd
	url string
	log string
}

// TestThreeReplicasOneKilled runs three real server processes, with the
// production queue settings (the only ones there are) on one PostgreSQL,
// each sending through its own port of one SMTP server. A restock for
// replicaSubscribers subscribers starts; when a fifth of them have mail and
// the slow replica some, that replica is killed with SIGKILL while its
// workers are sending (its provider answers slowly, so its sending workers
// are always in the middle of a send). Within 90 s of the kill every subscriber has had
// exactly one message (one Message-ID), all marked sent; the jobs the dead
// replica was running were rescued and done by the others; a message
// handed to the provider twice is one the dead replica was sending when it
// died (the documented at-least-once window), and the survivors counted
// every such resend in stockbell_messages_possibly_repeated_total.
func TestThreeReplicasOneKilled(t *testing.T) {
	// Most of its time is the rescue of the dead replica's jobs, waited
	// for at the shipped setting, so it runs beside the other parallel tests.
	t.Parallel()
	dbURL := storetest.FreshPostgresURL(t) // skips without PostgreSQL, fails in CI
	db := openReplicaDatabase(t, dbURL)
	shop, variant := seedReplicaRestock(t, db)
	sink := smtptest.Start(t, smtptest.Options{Listeners: 3})
	// Replica 0's provider is slow, so that its workers are in the middle
	// of sends when it is killed.
	sink.SlowMail(0, 100*time.Millisecond)
	replicas := make([]*replica, 3)
	for i := range replicas {
		replicas[i] = startReplica(t, dbURL, sinkURL(sink, i))
	}
	for _, r := range replicas {
		r.waitServing(t)
	}
	_, err := db.ApplyStockChange(bg(), stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: variant, LocationID: "warehouse", Available: 5, At: time.Now()})
	noErr(t, err)

	// Replica 0 has had mail accepted, so it is in the middle of a send job
	// (its slow provider takes a job's hundred messages in seconds).
	waitForCondition(t, 2*time.Minute, func() bool {
		if sink.Count() >= replicaSubscribers && countFrom(sink, 0) == 0 {
			t.Fatal("every message was sent by the fast replicas, none by the one to kill: nothing to test")
		}
		return sink.Count() >= replicaSubscribers/5 && countFrom(sink, 0) > 0
	})
	noErr(t, replicas[0].cmd.Process.Signal(syscall.SIGKILL))
	killedAt := time.Now()
	replicas[0].cmd.Wait()
	t.Logf("killed replica 0 with %d messages received, %d subscribers claimed", sink.Count(),
		countRows(t, db, `SELECT COUNT(*) FROM subscriptions WHERE status = 'notified'`))
	if countRows(t, db, `SELECT COUNT(*) FROM messages WHERE status = 'sent'`) == replicaSubscribers {
		t.Fatal("every message was sent before the kill: nothing was tested")
	}

	for time.Since(killedAt) < recoveryBudget && !allSent(t, db, sink) {
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(killedAt)
	if !allSent(t, db, sink) {
		t.Fatalf("%s after the kill: %d messages sent, %d received; want all %d within %s\n%s", took.Round(time.Second),
			countRows(t, db, `SELECT COUNT(*) FROM messages WHERE status = 'sent'`), sink.Count(), replicaSubscribers, recoveryBudget, replicas[0].logs(t))
	}
	t.Logf("every subscriber notified %s after the kill", took.Round(100*time.Millisecond))
	checkRescued(t, db)
	checkOnePerSubscriber(t, db, sink, replicas[1:])
}

func bg() context.Context { return context.Background() }

func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// openReplicaDatabase migrates the database and gives it an insert-only
// queue for the test's own stock change.
func openReplicaDatabase(t *testing.T, dbURL string) *store.DB {
	conn, err := store.Connect(bg(), dbURL)
	noErr(t, err)
	t.Cleanup(func() { conn.Close() })
	noErr(t, migrate(bg(), conn, &Config{DatabaseURL: dbURL}, slog.New(slog.DiscardHandler), untold))
	queue, err := jobs.New(bg(), jobs.Config{Database: jobsDatabase(conn, dbURL)})
	noErr(t, err)
	return store.New(conn, queue)
}

// seedReplicaRestock installs a shop with a sold-out variant and queues
// its subscribers, a microsecond apart.
func seedReplicaRestock(t *testing.T, db *store.DB) (*stockbell.Shop, string) {
	shop, err := db.InstallShop(bg(), stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "replicas.myshopify.com", Name: "Replicas"})
	noErr(t, err)
	_, err = db.UpsertProduct(bg(), stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Lamp", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "v1", InventoryItemID: "i1", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "warehouse", Available: 0, UpdatedAt: time.Now().Add(-time.Hour)}}}}})
	noErr(t, err)
	v, err := db.FindVariant(bg(), shop.ID, "v1")
	noErr(t, err)
	start := time.Now().UTC().Add(-time.Hour)
	for from := 0; from < replicaSubscribers; from += 500 {
		var rows []string
		var args []any
		for i := from; i < min(from+500, replicaSubscribers); i++ {
			at := start.Add(time.Duration(i) * time.Microsecond)
			rows = append(rows, "(?, ?, ?, 'email', 'queued', ?, ?)")
			args = append(args, shop.ID, v.ID, fmt.Sprintf("s%05d@example.com", i), at, at)
		}
		_, err := db.DB.ExecContext(bg(), db.DB.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, channels, status, created_at, updated_at)
			VALUES `+strings.Join(rows, ", ")), args...)
		noErr(t, err)
	}
	return shop, "v1"
}

// startReplica starts the test binary as a server replica in production
// mode. Only the provider's pace is the test's: the sink takes 1,000
// messages a second where a real provider's rate is the operator's setting.
func startReplica(t *testing.T, dbURL, smtpURL string) *replica {
	dir := t.TempDir()
	r := &replica{log: filepath.Join(dir, "server.log")}
	logFile, err := os.Create(r.log)
	noErr(t, err)
	t.Cleanup(func() { logFile.Close() })
	r.cmd = exec.Command(os.Args[0], "-test.run=^TestReplicaProcess$", "-test.timeout=0")
	r.cmd.Env = append(os.Environ(),
		replicaURLFileEnv+"="+filepath.Join(dir, "url"),
		"STOCKBELL_ENV=production",
		"STOCKBELL_PUBLIC_URL=https://replicas.stockbell.test",
		"STOCKBELL_SECRET_KEY="+strings.Repeat("ab", 32),
		"STOCKBELL_ADDR=127.0.0.1:0",
		"STOCKBELL_DATA_DIR="+dir,
		"STOCKBELL_DATABASE_URL="+dbURL,
		"STOCKBELL_METRICS_TOKEN="+replicaMetricsKey,
		"STOCKBELL_SMTP_URL="+smtpURL,
		"STOCKBELL_EMAIL_FROM=alerts@stockbell.test",
		"STOCKBELL_SMTP_RATE=1000", "STOCKBELL_SMTP_BURST=100",
		"STOCKBELL_LOG_LEVEL=warn",
	)
	r.cmd.Stdout, r.cmd.Stderr = logFile, logFile
	stdin, err := r.cmd.StdinPipe()
	noErr(t, err)
	noErr(t, r.cmd.Start())
	t.Cleanup(func() {
		stdin.Close()
		r.cmd.Process.Kill()
		r.cmd.Wait()
	})
	return r
}

func (r *replica) waitServing(t *testing.T) {
	urlFile := filepath.Join(filepath.Dir(r.log), "url")
	waitForCondition(t, time.Minute, func() bool {
		raw, err := os.ReadFile(urlFile)
		r.url = string(raw)
		return err == nil && r.url != ""
	})
}

func (r *replica) logs(t *testing.T) string {
	raw, _ := os.ReadFile(r.log)
	return string(raw)
}

// repeatCounter reads the replica's at-least-once repeat counter.
func (r *replica) repeatCounter(t *testing.T) int {
	req, err := http.NewRequest(http.MethodGet, r.url+"/metrics", nil)
	noErr(t, err)
	req.Header.Set("Authorization", "Bearer "+replicaMetricsKey)
	resp, err := http.DefaultClient.Do(req)
	noErr(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	total := 0
	for line := range strings.Lines(string(body)) {
		if rest, ok := strings.CutPrefix(line, "stockbell_messages_possibly_repeated_total{"); ok {
			_, value, _ := strings.Cut(rest, "} ")
			n, err := strconv.Atoi(strings.TrimSpace(value))
			noErr(t, err)
			total += n
		}
	}
	if !strings.Contains(string(body), "stockbell_messages_possibly_repeated_total") {
		t.Fatalf("%s/metrics has no repeat counter: %d %.300s", r.url, resp.StatusCode, body)
	}
	return total
}

func allSent(t *testing.T, db *store.DB, sink *smtptest.Server) bool {
	return countRows(t, db, `SELECT COUNT(*) FROM messages WHERE status = 'sent'`) == replicaSubscribers && sink.Count() >= replicaSubscribers
}

// countFrom is how many messages listener i of the sink took, that is
// how many replica i sent.
func countFrom(sink *smtptest.Server, i int) int {
	n := 0
	for _, m := range sink.Messages() {
		if m.Listener == i {
			n++
		}
	}
	return n
}

func countRows(t testing.TB, db *store.DB, query string) int {
	t.Helper()
	var n int
	noErr(t, db.DB.GetContext(bg(), &n, query))
	return n
}

// checkRescued: the dead replica was running jobs, and the others did them
// after the queue rescued them.
func checkRescued(t *testing.T, db *store.DB) {
	rescued := countRows(t, db, `SELECT COUNT(*) FROM river_job WHERE errors::text LIKE '%Stuck job rescued%'`)
	left := countRows(t, db, `SELECT COUNT(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled')`)
	t.Logf("%d jobs the killed replica was running were rescued; %d jobs not completed", rescued, left)
	if rescued == 0 {
		t.Fatal("no job was rescued: the killed replica was running nothing, so nothing was tested")
	}
}

// checkOnePerSubscriber: one message row and one Message-ID per
// subscriber; a Message-ID received twice was first received from the dead
// replica, and every such resend is counted by the survivors.
func checkOnePerSubscriber(t *testing.T, db *store.DB, sink *smtptest.Server, survivors []*replica) {
	if n := countRows(t, db, `SELECT COUNT(*) FROM subscriptions WHERE status = 'notified'`); n != replicaSubscribers {
		t.Fatalf("%d subscribers notified, want %d", n, replicaSubscribers)
	}
	if n := countRows(t, db, `SELECT COUNT(DISTINCT subscription_id) FROM messages`); n != replicaSubscribers || countRows(t, db, `SELECT COUNT(*) FROM messages`) != n {
		t.Fatalf("%d message rows for %d subscribers, want one each", countRows(t, db, `SELECT COUNT(*) FROM messages`), n)
	}
	ids := map[string][]smtptest.Message{}
	recipients := map[string]map[string]bool{}
	for _, m := range sink.Messages() {
		ids[m.MessageID] = append(ids[m.MessageID], m)
		to := strings.Join(m.To, ", ")
		if recipients[to] == nil {
			recipients[to] = map[string]bool{}
		}
		recipients[to][m.MessageID] = true
	}
	if len(ids) != replicaSubscribers || len(recipients) != replicaSubscribers {
		t.Fatalf("%d distinct Message-IDs to %d recipients, want %d of each", len(ids), len(recipients), replicaSubscribers)
	}
	for to, got := range recipients {
		if len(got) != 1 {
			t.Fatalf("%s got %d different messages, want one", to, len(got))
		}
	}
	repeats := 0
	for id, copies := range ids {
		if len(copies) > 1 {
			repeats += len(copies) - 1
			if copies[0].Listener != 0 {
				t.Errorf("message %s was handed over twice, first by a replica that did not die", id)
			}
		}
	}
	counted := 0
	for _, r := range survivors {
		counted += r.repeatCounter(t)
	}
	flagged := countRows(t, db, `SELECT COUNT(*) FROM events WHERE kind = 'message_sent' AND detail::jsonb ? 'possible_repeat'`)
	t.Logf("%d messages handed to the provider twice; the survivors counted %d possible repeats (%d events flagged)", repeats, counted, flagged)
	if counted < repeats || counted != flagged || counted > jobsPerReplica {
		t.Fatalf("repeat counter %d, flagged events %d, repeats seen %d: want counter = flagged, between the repeats and the dead replica's %d workers",
			counted, flagged, repeats, jobsPerReplica)
	}
}

// jobsPerReplica is the send queue's workers (jobs.SendWorkers): the most
// sends one replica has in flight.
const jobsPerReplica = jobs.SendWorkers

// waitUntil polls cond until it holds or the timeout passes. It waits for
// other processes, never for a business rule.
func waitForCondition(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestQueueSettingsKeepTheRecoveryPromise: the send lease outlasts the
// send job's timeout and ends before a dead process's job is rescued, and
// the worst case of a rescue fits the promise.
func TestQueueSettingsKeepTheRecoveryPromise(t *testing.T) {
	if !(jobs.JobTimeout < restock.DefaultSendLease && restock.DefaultSendLease < jobs.RescueStuckJobsAfter) {
		t.Fatalf("send timeout %s, lease %s, rescue after %s: want timeout < lease < rescue", jobs.JobTimeout, restock.DefaultSendLease, jobs.RescueStuckJobsAfter)
	}
	if jobs.RecoveryBound >= recoveryBudget {
		t.Fatalf("a dead process's job may wait %s, over the %s promised", jobs.RecoveryBound, recoveryBudget)
	}
}
