package bench

import (
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// BenchmarkReplicas compares three replicas on one PostgreSQL database
// with the load spread over them (request i to replica i%3) against a
// single replica, in the same run, for the webhook route (with processing
// running on every replica) and the storefront API. Each replica is a
// complete server stack of its own in this process: its own connection
// pool, group-commit writer, job queue (which takes part in leader
// election and listens for new jobs) and HTTP server. x-bare is three
// replicas' rate over the single one's. A webhook arm starts only once the
// arm before it has processed everything it accepted: the single replica
// accepts far faster than it processes, and its backlog would otherwise be
// processed during the three replicas' load, on the same two cores.
//
// x-bare compares the rates at which the arms accept webhooks, each with
// whatever processing runs beside its load; three replicas process more of
// their receipts during their load than one does, so that ratio counts
// work one replica does after its load against three. x-done compares
// what both do in full: the webhooks accepted and processed per second of
// the time from the load's start until every receipt is processed and
// every restock decision has run (done/s), with the process's CPU time
// per webhook over that time (done-cpu-ms/req).
//
//	go test ./bench -run '^$' -bench Replicas -benchtime 5000x -count 5
func BenchmarkReplicas(b *testing.B) {
	b.Run("webhook", func(b *testing.B) {
		runPair(b, replicatedWebhooks(3), replicatedWebhooks(1))
	})
	b.Run("storefront", func(b *testing.B) {
		runPair(b, replicatedStorefront(3), replicatedStorefront(1))
	})
}

// replicas opens n stacks on one fresh PostgreSQL database: the first is
// the migrated database itself, the others connect to it as further
// processes would.
func replicas(b *testing.B, n int) ([]*store.DB, string) {
	first, dbURL := storetest.OpenURL(b, store.Postgres)
	dbs := []*store.DB{first}
	for len(dbs) < n {
		conn, err := store.Connect(ctx, dbURL)
		must(b, err)
		queue, err := jobs.New(ctx, jobs.Config{Database: storetest.JobsDatabase(conn, dbURL)})
		must(b, err)
		db := store.New(conn, queue)
		b.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	return dbs, dbURL
}

func replicatedWebhooks(n int) target {
	return func(b *testing.B) arm {
		settle(b)
		dbs, dbURL := replicas(b, n)
		processingArms = append(processingArms, dbs[0])
		b.Cleanup(func() { processingArms = nil })
		shop := storetest.MustShop(b, dbs[0], stockbell.PlatformShopify, benchDomain)
		stockedCatalog(b, dbs[0], shop.ID)
		urls := make([]string, n)
		for i, db := range dbs {
			startProcessing(b, db, dbURL)
			urls[i] = serveWebhooks(b, db)
		}
		return arm{newRequest: func(i int) *http.Request { return signedWebhook(urls[i%n], i) }, pgDatabase: pgDatabase(dbURL),
			processedAll: func() bool { return processedAll(b, dbs[0]) }}
	}
}

// processingArms are the webhook arms started in this run, whose receipts
// and restock decisions may still be being processed.
var processingArms []*store.DB

// settle waits until every earlier arm of the run has processed all it
// accepted: no receipt pending and no job waiting or running.
func settle(b *testing.B) {
	deadline := time.Now().Add(5 * time.Minute)
	for _, db := range processingArms {
		for !processedAll(b, db) {
			if time.Now().After(deadline) {
				b.Fatal("an earlier arm did not finish processing in 5 minutes")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func processedAll(b *testing.B, db *store.DB) bool {
	return count(b, db, `SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`) == 0 &&
		count(b, db, `SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'running', 'retryable', 'scheduled', 'pending')`) == 0
}

func replicatedStorefront(n int) target {
	return func(b *testing.B) arm {
		dbs, dbURL := replicas(b, n)
		soldOutShop(b, dbs[0])
		posts := make([]func(int) *http.Request, n)
		for i, db := range dbs {
			posts[i] = subscriptionPost(storefrontServer(b, db))
		}
		return arm{newRequest: func(i int) *http.Request { return posts[i%n](i) }, pgDatabase: pgDatabase(dbURL)}
	}
}
