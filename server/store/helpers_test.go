package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

var ctx = context.Background()

// useClock gives the database a hand-moved clock starting at a fixed time.
func useClock(db *store.DB) *storetest.Clock {
	c := storetest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	db.Clock = c
	return c
}

// wantCode fails unless err carries the code (and the field, when given).
func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := stockbell.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if field != "" && stockbell.ErrorField(err) != field {
		t.Fatalf("error field = %q (%v), want %q", stockbell.ErrorField(err), err, field)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// count runs a COUNT(*) query written with `?`.
func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	must(t, db.DB.GetContext(ctx, &n, db.DB.Rebind(query), args...))
	return n
}

// jobArgs returns the JSON arguments of River's jobs of a kind, oldest first.
func jobArgs(t *testing.T, db *store.DB, kind string) []map[string]any {
	t.Helper()
	argsText := "json(args)" // SQLite stores args as JSONB
	if db.Dialect == store.Postgres {
		argsText = "args::text"
	}
	var raws []string
	must(t, db.DB.SelectContext(ctx, &raws, db.DB.Rebind(`SELECT `+argsText+` FROM river_job WHERE kind = ? ORDER BY id`), kind))
	out := make([]map[string]any, len(raws))
	for i, raw := range raws {
		must(t, json.Unmarshal([]byte(raw), &out[i]))
	}
	return out
}

// stockJobs counts variant_stock_changed jobs per variant id.
func stockJobs(t *testing.T, db *store.DB) map[int64]int {
	t.Helper()
	out := map[int64]int{}
	for _, args := range jobArgs(t, db, stockbell.VariantStockChangedJob{}.Kind()) {
		out[int64(args["variant_id"].(float64))]++
	}
	return out
}

// failingQueue inserts jobs through the real queue and then reports a
// failure on the nth insertion, so the caller's transaction rolls back after
// the job row was written in it.
type failingQueue struct {
	inner stockbell.JobQueue
	n     int
	calls int
}

var errQueueFailed = errors.New("queue failed on purpose")

func (q *failingQueue) InsertTx(ctx context.Context, tx *sql.Tx, args stockbell.JobArgs, opts *stockbell.JobOptions) error {
	if err := q.inner.InsertTx(ctx, tx, args, opts); err != nil {
		return err
	}
	q.calls++
	if q.calls == q.n {
		return errQueueFailed
	}
	return nil
}

// install installs a shop on the platform.
func install(t testing.TB, db *store.DB, platform stockbell.Platform, domain string) *stockbell.Shop {
	t.Helper()
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: platform, Domain: domain, Name: domain, Seal: fixedSeal("sealed"), Scopes: "read_products"})
	must(t, err)
	return shop
}

// product upserts a product with variants, each given as platform id and
// total stock at the default location (negative: no levels), in platform id
// order. The levels are read with the platform time of the clock's now.
func product(t testing.TB, db *store.DB, shopID int64, platformID string, stocks map[string]int) *stockbell.Product {
	t.Helper()
	up := stockbell.ProductUpsert{ShopID: shopID, PlatformID: platformID, Title: "Product " + platformID, Published: true}
	for _, id := range slices.Sorted(maps.Keys(stocks)) {
		stock := stocks[id]
		v := stockbell.VariantUpsert{PlatformID: id, InventoryItemID: "inv-" + id, Title: "Variant " + id, Tracked: true}
		if stock >= 0 {
			v.Levels = []stockbell.LocationLevel{{LocationID: stockbell.DefaultLocation, Available: stock, UpdatedAt: db.Clock.Now()}}
		}
		up.Variants = append(up.Variants, v)
	}
	p, err := db.UpsertProduct(ctx, up)
	must(t, err)
	return p
}

func variant(t testing.TB, db *store.DB, shopID int64, platformID string) *stockbell.VariantWithProduct {
	t.Helper()
	v, err := db.FindVariant(ctx, shopID, platformID)
	must(t, err)
	return v
}

// insertSubscription writes a subscription row directly.
func insertSubscription(t *testing.T, db *store.DB, shopID, variantID int64, email, phone string, status stockbell.SubscriptionStatus) int64 {
	t.Helper()
	var id int64
	now := db.Clock.Now()
	must(t, db.DB.QueryRowxContext(ctx, db.DB.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, phone, channels,
		status, consent_ip, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		shopID, variantID, email, phone, "email", status, "203.0.113.9", now, now).Scan(&id))
	return id
}

// fixedSeal is a ShopInstall.Seal that stores the given bytes.
func fixedSeal(sealed string) func(int64) ([]byte, error) {
	return func(int64) ([]byte, error) { return []byte(sealed), nil }
}

// afterWaitingFor runs the statement (PostgreSQL's placeholders) in a
// transaction of its own, which holds the rows it locks or writes; starts
// write; waits until write waits for a lock; then commits the transaction
// and returns write's error. It stands for a concurrent transaction that
// write must wait for and then see.
func afterWaitingFor(t *testing.T, db *store.DB, statement string, args []any, write func() error) error {
	t.Helper()
	held, err := db.DB.BeginTxx(ctx, nil)
	must(t, err)
	defer held.Rollback()
	_, err = held.Exec(statement, args...)
	must(t, err)
	done := make(chan error, 1)
	go func() { done <- write() }()
	waitForLockWaiters(t, db, 1)
	must(t, held.Commit())
	return <-done
}

// beginFirstToDeadlock begins, on PostgreSQL, a transaction that is the
// one aborted, and at once (deadlock_timeout 20 ms rather than the default
// second), should it and the store call under test each wait for the
// other. It is rolled back when the test ends unless committed.
func beginFirstToDeadlock(t *testing.T, db *store.DB) *sqlx.Tx {
	t.Helper()
	tx, err := db.DB.BeginTxx(ctx, nil)
	must(t, err)
	t.Cleanup(func() { tx.Rollback() })
	_, err = tx.Exec(`SET LOCAL deadlock_timeout = '20ms'`)
	must(t, err)
	return tx
}

// waitForLockWaiters waits until n of the database's sessions wait for a
// lock.
func waitForLockWaiters(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		var waiting int
		must(t, db.DB.GetContext(ctx, &waiting, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`))
		if waiting >= n {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d sessions wait for a lock after 10 s, want %d", waiting, n)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// decider is who approves or discards a held batch in tests that do not
// look at who decided.
var decider = stockbell.AdminUser{Email: "owner@example.com"}
