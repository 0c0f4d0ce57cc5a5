package store_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// jobStates are every state River keeps a job in.
var jobStates = []string{"available", "scheduled", "retryable", "pending", "running", "completed", "discarded", "cancelled"}

// kindJob is a job of any kind with arguments given as JSON fields.
type kindJob struct {
	kind string
	args map[string]any
}

func (j kindJob) Kind() string                 { return j.kind }
func (j kindJob) MarshalJSON() ([]byte, error) { return json.Marshal(j.args) }

// storedJob is a job's row as the queue keeps it.
type storedJob struct {
	Kind, State, Args, Errors string
}

// queueJob inserts a job and puts it in the state; a running job gets an
// earlier attempt's error that names errorText.
func queueJob(t *testing.T, db *store.DB, args stockbell.JobArgs, opts *stockbell.JobOptions, state, errorText string) {
	t.Helper()
	tx, err := db.DB.BeginTx(ctx, nil)
	must(t, err)
	defer tx.Rollback()
	must(t, db.Queue.InsertTx(ctx, tx, args, opts))
	must(t, tx.Commit())
	finalized := "NULL"
	if state == "completed" || state == "discarded" || state == "cancelled" {
		finalized = "scheduled_at"
	}
	errs := "NULL"
	if errorText != "" {
		e, _ := json.Marshal(map[string]any{"at": time.Now().UTC(), "attempt": 1, "error": errorText})
		errs = `jsonb('[` + string(e) + `]')`
		if db.Dialect == store.Postgres {
			errs = `ARRAY['` + string(e) + `'::jsonb]`
		}
	}
	_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE river_job SET state = ?, finalized_at = `+finalized+`, errors = `+errs+`
		WHERE id = (SELECT MAX(id) FROM river_job)`), state)
	must(t, err)
}

// storedJobs reads every job of the queue by id.
func storedJobs(t *testing.T, db *store.DB) map[int64]storedJob {
	t.Helper()
	query := `SELECT id, kind, state, json(args), COALESCE(json(errors), '') FROM river_job`
	if db.Dialect == store.Postgres {
		query = `SELECT id, kind, state::text, args::text, COALESCE(errors::text, '') FROM river_job`
	}
	rows, err := db.DB.QueryContext(ctx, query)
	must(t, err)
	defer rows.Close()
	out := map[int64]storedJob{}
	for rows.Next() {
		var id int64
		var j storedJob
		must(t, rows.Scan(&id, &j.Kind, &j.State, &j.Args, &j.Errors))
		out[id] = j
	}
	must(t, rows.Err())
	return out
}

// shopJobs queues, for the shop, a job of every kind that names its shop
// in every state (with real arguments for some kinds, the delivery's
// naming its subscriber), and a catalog sync unique by its arguments;
// running ones carry an error naming the shop's subscriber.
func shopJobs(t *testing.T, db *store.DB, shop *stockbell.Shop, endpointID int64) {
	t.Helper()
	subscriber := "ann@" + shop.Domain
	queueJob(t, db, stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}, &stockbell.JobOptions{UniqueByArgs: true}, "available", "")
	payload := `{"data":{"shop":"` + shop.Domain + `","subscription":{"email":"` + subscriber + `","id":1,"phone":"+493012345678"}},` +
		`"timestamp":"2026-03-01T12:00:00Z","type":"subscription.created"}`
	for _, state := range jobStates {
		errorText := ""
		if state == "running" {
			errorText = "550 <" + subscriber + ">: mailbox busy"
		}
		queueJob(t, db, stockbell.WebhookDeliveryJob{ShopID: shop.ID, EndpointID: endpointID, MessageID: "msg_" + state,
			Type: "subscription.created", Timestamp: 1, Payload: payload}, nil, state, errorText)
		queueJob(t, db, stockbell.SendMessageJob{ShopID: shop.ID, MessageIDs: []int64{1, 2}}, nil, state, errorText)
		queueJob(t, db, stockbell.RestockWaitEndedJob{ShopID: shop.ID, VariantID: 7, Until: time.Now().Add(time.Hour)},
			&stockbell.JobOptions{ScheduledAt: time.Now().Add(time.Hour)}, state, errorText)
		for _, kind := range store.ShopJobKinds() {
			queueJob(t, db, kindJob{kind, map[string]any{"shop_id": shop.ID, "id": 9}}, nil, state, errorText)
		}
	}
}

// TestDeleteShopErasesItsJobs: erasing a shop erases its jobs from the
// queue, of every kind that names its shop and in every state: waiting,
// or finished and kept for days (a webhook delivery's payload holds its
// subscribers' emails and phones). A running job stays under its worker,
// without its earlier errors and, a delivery, without its payload. A
// delivery queued before jobs carried their shop goes by the domain it
// names. Another shop's jobs, jobs for every shop (shop_id 0) and jobs
// without a shop are untouched.
func TestDeleteShopErasesItsJobs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "gone.myshopify.com")
		keep := install(t, db, stockbell.PlatformShopify, "kept.myshopify.com")
		shopJobs(t, db, shop, mustEndpoint(t, db, shop.ID, stockbell.WebhookEventTypes...).ID)
		shopJobs(t, db, keep, mustEndpoint(t, db, keep.ID, stockbell.WebhookEventTypes...).ID)
		for _, s := range []*stockbell.Shop{shop, keep} {
			legacy := `{"data":{"shop":"` + s.Domain + `","subscription":{"email":"bob@` + s.Domain + `","id":2}},"type":"subscription.created"}`
			for _, state := range []string{"retryable", "completed", "running"} {
				queueJob(t, db, stockbell.WebhookDeliveryJob{EndpointID: 1, MessageID: "msg_legacy_" + state, Type: "subscription.created",
					Payload: legacy}, nil, state, "")
			}
		}
		for _, args := range []stockbell.JobArgs{stockbell.ShopifyReconcileJob{}, stockbell.FeedScheduleJob{},
			stockbell.ProcessReceiptJob{ReceiptID: 1}, kindJob{"probe", map[string]any{"shop_id": shop.ID}}} {
			queueJob(t, db, args, nil, "available", "")
		}
		before := storedJobs(t, db)

		must(t, db.UninstallShop(ctx, shop.ID))
		must(t, db.DeleteShop(ctx, shop.ID))

		after := storedJobs(t, db)
		erased := func(j storedJob) bool {
			return slices.Contains(store.ShopJobKinds(), j.Kind) && (shopIDOf(t, j.Args) == shop.ID || strings.Contains(j.Args, shop.Domain))
		}
		rewritten := 0
		for id, was := range before {
			now, kept := after[id]
			switch {
			case !erased(was):
				if now != was {
					t.Errorf("job %d (%s, %s) of another shop changed: %+v, was %+v", id, was.Kind, was.State, now, was)
				}
			case was.State != "running":
				if kept {
					t.Errorf("job %d (%s, %s) of the erased shop kept: %s", id, was.Kind, was.State, was.Args)
				}
			case !kept:
				t.Errorf("running job %d (%s) deleted under its worker", id, was.Kind)
			default:
				rewritten++
				if now.Errors != "" || strings.Contains(now.Args, shop.Domain) {
					t.Errorf("running job %d (%s) still names the erased shop's people: %s %s", id, now.Kind, now.Args, now.Errors)
				}
				if was.Kind != (stockbell.WebhookDeliveryJob{}).Kind() {
					if now.Args != was.Args {
						t.Errorf("running job %d (%s) lost arguments that name no one: %s, was %s", id, now.Kind, now.Args, was.Args)
					}
					continue
				}
				var job, wasJob stockbell.WebhookDeliveryJob
				must(t, json.Unmarshal([]byte(now.Args), &job))
				must(t, json.Unmarshal([]byte(was.Args), &wasJob))
				wasJob.Payload = ""
				if job != wasJob {
					t.Errorf("running delivery %d lost more than its payload: %+v", id, job)
				}
			}
		}
		// Running: one job of every kind of the shop's, and its delivery
		// queued without its shop.
		if want := len(store.ShopJobKinds()) + 3 + 1; rewritten != want {
			t.Errorf("%d running jobs kept and rewritten, want %d", rewritten, want)
		}
		// A job unique by its arguments no longer holds its key.
		n := len(after)
		queueJob(t, db, stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID}, &stockbell.JobOptions{UniqueByArgs: true}, "available", "")
		if len(storedJobs(t, db)) != n+1 {
			t.Errorf("the erased shop's unique catalog sync still holds its key")
		}
	})
}

// shopIDOf reads a job's shop_id (0 without one).
func shopIDOf(t *testing.T, args string) int64 {
	t.Helper()
	var fields struct {
		ShopID int64 `json:"shop_id"`
	}
	must(t, json.Unmarshal([]byte(args), &fields))
	return fields.ShopID
}

// TestShopJobKindsCoverTheRootPackage: every job kind the root package
// declares either names its shop, and is erased with it, or is known to
// carry no shop (the periodic jobs, a receipt by id).
func TestShopJobKindsCoverTheRootPackage(t *testing.T) {
	withoutShop := []string{"process_receipt", "sweep_receipts", "scheduled_reports", "feed_schedule", "expire_data_requests"}
	declared := rootJobKinds(t)
	for _, kind := range declared {
		if !slices.Contains(store.ShopJobKinds(), kind) && !slices.Contains(withoutShop, kind) {
			t.Errorf("job kind %q: add it to shopJobKinds (server/store/shop_jobs.go) if its arguments name a shop, else here", kind)
		}
	}
	for _, kind := range append(store.ShopJobKinds(), withoutShop...) {
		if !slices.Contains(declared, kind) {
			t.Errorf("job kind %q is not declared in the root package", kind)
		}
	}
	if len(declared) < 20 {
		t.Fatalf("read only %d job kinds from the root package", len(declared))
	}
}

// rootJobKinds reads the kinds the root package's Kind methods return.
func rootJobKinds(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "*.go"))
	must(t, err)
	var kinds []string
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		must(t, err)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Kind" || len(fn.Body.List) != 1 {
				continue
			}
			ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
			if !ok || len(ret.Results) != 1 {
				continue
			}
			if lit, ok := ret.Results[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				kinds = append(kinds, strings.Trim(lit.Value, `"`))
			}
		}
	}
	return kinds
}

// TestDeleteShopForgetsItsSyncReruns: a request to run a sync again
// (job_reruns) goes with the erased shop's job; another shop's stays.
func TestDeleteShopForgetsItsSyncReruns(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "gone.myshopify.com")
		keep := install(t, db, stockbell.PlatformShopify, "kept.myshopify.com")
		rerun := map[int64]int64{}
		for _, s := range []*stockbell.Shop{shop, keep} {
			queueJob(t, db, stockbell.ShopifyCatalogSyncJob{ShopID: s.ID}, nil, "available", "")
			var id int64
			must(t, db.DB.Get(&id, `SELECT MAX(id) FROM river_job`))
			_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO job_reruns (job_id) VALUES (?)`), id)
			must(t, err)
			rerun[s.ID] = id
		}
		must(t, db.UninstallShop(ctx, shop.ID))
		must(t, db.DeleteShop(ctx, shop.ID))
		if n := count(t, db, `SELECT COUNT(*) FROM job_reruns WHERE job_id = ?`, rerun[shop.ID]); n != 0 {
			t.Errorf("the erased shop's sync is still asked to run again")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM job_reruns WHERE job_id = ?`, rerun[keep.ID]); n != 1 {
			t.Errorf("another shop's request to run its sync again was erased")
		}
	})
}
