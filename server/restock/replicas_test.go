package restock_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// Environment of a worker process started by TestThreeReplicasOneKilled.
const (
	workerDBEnv   = "STOCKBELL_RESTOCK_WORKER_DB"
	workerNameEnv = "STOCKBELL_RESTOCK_WORKER_NAME"
)

// Replica test settings: short enough that the killed worker's jobs are
// rescued within the test (River's rescuer looks every 30 s).
const (
	replicaLease  = 3 * time.Second
	replicaRescue = 4 * time.Second
	replicaSubs   = 3000
)

// TestWorkerProcess is one server replica's job workers; it runs only when
// TestThreeReplicasOneKilled starts this test binary as a child process.
func TestWorkerProcess(t *testing.T) {
	url := os.Getenv(workerDBEnv)
	if url == "" {
		t.Skip("run as a child of TestThreeReplicasOneKilled")
	}
	db, err := store.Open(ctx, url)
	must(t, err)
	defer db.Close()
	queue := startWorkers(t, db, workerConfig{name: os.Getenv(workerNameEnv), chunkSize: 100, lease: replicaLease, rescue: replicaRescue})
	defer queue.Stop(context.Background())
	time.Sleep(3 * time.Minute) // until the parent kills or stops it
}

// TestThreeReplicasOneKilled runs three worker processes on one PostgreSQL,
// kills one with SIGKILL in the middle of a batch, and checks that every
// queued subscriber ends notified exactly once.
func TestThreeReplicasOneKilled(t *testing.T) {
	url := storetest.FreshPostgresURL(t) // skips without PostgreSQL, fails in CI
	db, err := store.Open(ctx, url)
	must(t, err)
	defer db.Close()
	must(t, db.Migrate(ctx))
	must(t, jobs.Migrate(ctx, jobs.Database{DB: db.DB.DB, Postgres: true}))
	inserter, err := jobs.New(ctx, jobs.Config{Database: jobs.Database{DB: db.DB.DB, Postgres: true}})
	must(t, err)
	db.Queue = inserter
	_, err = db.DB.ExecContext(ctx, devSendsTable)
	must(t, err)

	h := &harness{t: t, db: db, clock: storetest.NewClock(time.Now().UTC())}
	h.shop, err = db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "replicas.myshopify.com"})
	must(t, err)
	v := h.variant("v1")
	bulkSubscribe(t, db, h.shop.ID, v, replicaSubs, time.Now().UTC().Add(-time.Hour))

	workers := make([]*exec.Cmd, 3)
	for i := range workers {
		workers[i] = startWorkerProcess(t, url, "w"+strconv.Itoa(i))
	}
	_, err = db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: h.shop.ID, VariantPlatformID: "v1", LocationID: "warehouse", Available: 5, At: h.clock.Now()})
	must(t, err)

	waitFor(t, 60*time.Second, func() bool { return h.count(`SELECT COUNT(*) FROM dev_sends`) >= replicaSubs/5 })
	must(t, workers[0].Process.Signal(syscall.SIGKILL))
	workers[0].Wait()
	claimedAtKill := h.count(`SELECT COUNT(*) FROM subscriptions WHERE status = 'notified'`)
	t.Logf("killed w0 with %d of %d subscribers claimed and %d sends made", claimedAtKill, replicaSubs, h.count(`SELECT COUNT(*) FROM dev_sends`))
	if claimedAtKill == replicaSubs && h.count(`SELECT COUNT(*) FROM messages WHERE status = 'sent'`) == replicaSubs {
		t.Fatal("the batch finished before the kill: nothing was tested")
	}

	waitFor(t, 150*time.Second, func() bool {
		return h.count(`SELECT COUNT(*) FROM messages WHERE status = 'sent'`) == replicaSubs
	})
	checkExactlyOnce(t, h)
}

func startWorkerProcess(t *testing.T, url, name string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWorkerProcess$")
	cmd.Env = append(os.Environ(), workerDBEnv+"="+url, workerNameEnv+"="+name)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	must(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// checkExactlyOnce: every subscriber notified, one message row each, marked
// sent once; the provider saw each message at least once, and a repeat only
// for a message whose sender was killed between the provider accepting it
// and the sent mark committing (the documented window).
func checkExactlyOnce(t *testing.T, h *harness) {
	if n := h.count(`SELECT COUNT(*) FROM subscriptions WHERE status = 'notified'`); n != replicaSubs {
		t.Fatalf("%d notified, want %d", n, replicaSubs)
	}
	if n := h.count(`SELECT COUNT(*) FROM messages`); n != replicaSubs {
		t.Fatalf("%d message rows, want one per subscriber (%d)", n, replicaSubs)
	}
	if n := h.count(`SELECT COUNT(DISTINCT message_id) FROM dev_sends`); n != replicaSubs {
		t.Fatalf("the sender saw %d distinct messages, want %d", n, replicaSubs)
	}
	repeats := h.count(`SELECT COUNT(*) FROM dev_sends`) - replicaSubs
	byDeadWorker := h.count(`SELECT COUNT(*) FROM (SELECT message_id FROM dev_sends GROUP BY message_id
		HAVING COUNT(*) > 1 AND SUM(CASE WHEN worker = 'w0' THEN 1 ELSE 0 END) >= 1) d`)
	t.Logf("repeated sends: %d (all of messages the killed worker had sent but not yet marked)", repeats)
	if repeats != byDeadWorker || repeats > 10 {
		t.Fatalf("%d repeated sends, %d of them after the killed worker's; want only those, at most its 10 in flight", repeats, byDeadWorker)
	}
	if n := h.count(`SELECT COUNT(*) FROM (SELECT subscription_id FROM messages GROUP BY subscription_id HAVING COUNT(*) > 1) d`); n != 0 {
		t.Fatalf("%d subscribers have more than one message", n)
	}
}
