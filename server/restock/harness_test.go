package restock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

var ctx = context.Background()

// plainRenderer renders a message as one line of text.
type plainRenderer struct{}

func (plainRenderer) Render(ctx context.Context, c stockbell.MessageContent) (stockbell.OutboundMessage, error) {
	text := fmt.Sprintf("%s is back in stock at %s (step %d)", c.Variant.ProductTitle, c.Shop.Name, c.Message.Step)
	return stockbell.OutboundMessage{Subject: c.Variant.ProductTitle + " is back", Text: text}, nil
}

// recordingSender stands in for an email or SMS provider: it records what
// it accepted and can refuse a recipient for good or fail a number of times.
type recordingSender struct {
	mu     sync.Mutex
	sent   []stockbell.OutboundMessage
	reject map[string]bool
	// busy refuses a recipient for now (a transient error), every time.
	busy      map[string]bool
	failTimes int
	// unknownTimes: accept the message, then lose the connection before
	// answering (the outcome is unknown to the caller).
	unknownTimes int
	dev          delivery.DevSender
}

func (s *recordingSender) Send(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reject[msg.To] {
		return stockbell.SendResult{}, stockbell.FieldErrorf("to", "recipient %s refused", msg.To)
	}
	if s.busy[msg.To] {
		return stockbell.SendResult{}, fmt.Errorf("mailbox of %s busy, try later", msg.To)
	}
	if s.failTimes > 0 {
		s.failTimes--
		return stockbell.SendResult{}, fmt.Errorf("provider unavailable")
	}
	s.sent = append(s.sent, msg)
	if s.unknownTimes > 0 {
		s.unknownTimes--
		return stockbell.SendResult{}, fmt.Errorf("connection reset awaiting the answer: %w", stockbell.ErrOutcomeUnknown)
	}
	return s.dev.Send(ctx, msg)
}

func (s *recordingSender) recipients() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.sent))
	for i, m := range s.sent {
		out[i] = m.To
	}
	return out
}

// harness is a fresh database with the engine and messenger on it, whose
// jobs the test runs by hand with the clock moved forward.
type harness struct {
	t      testing.TB
	db     *store.DB
	clock  *storetest.Clock
	engine *restock.Engine
	msgr   *restock.Messenger
	sender *recordingSender
	shop   *stockbell.Shop
	// allowFailures is how many job failures (retried) the test expects at most.
	allowFailures, failures int
}

func newHarness(t *testing.T, db *store.DB) *harness {
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	db.Clock = clock
	sender := &recordingSender{reject: map[string]bool{}, busy: map[string]bool{}, dev: delivery.DevSender{Logger: slog.New(slog.DiscardHandler)}}
	h := &harness{t: t, db: db, clock: clock, sender: sender,
		engine: &restock.Engine{Store: db, Clock: clock, ChunkSize: 7},
		msgr:   &restock.Messenger{Store: db, Renderer: plainRenderer{}, Sender: sender, Clock: clock},
	}
	shop, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "bell.myshopify.com", Name: "Bell"})
	h.must(err)
	h.shop = shop
	// The clock starts at the wall clock's time, which may fall in a
	// recipient's night: the texts of other tests go at once, and
	// quiet_hours_test.go turns quiet hours back on at times it chooses.
	h.quietHours(false)
	return h
}

// quietHours turns the shop's SMS quiet hours on or off.
func (h *harness) quietHours(on bool) {
	_, err := h.db.UpdateSettings(ctx, h.shop.ID, stockbell.SettingsUpdate{QuietHours: &on})
	h.must(err)
}

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// settings sets the shop's restock rules.
func (h *harness) settings(minInventory, perUnit int, wait time.Duration) {
	_, err := h.db.UpdateSettings(ctx, h.shop.ID, stockbell.SettingsUpdate{MinInventory: &minInventory, PerUnit: &perUnit, Wait: &wait})
	h.must(err)
}

// variant upserts a tracked, published variant, sold out on the platform
// an hour before the clock's now, and returns its id.
func (h *harness) variant(platformID string) int64 {
	soldOutAt := h.clock.Now().Add(-time.Hour)
	_, err := h.db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: h.shop.ID, PlatformID: "p-" + platformID,
		Title: "Lamp " + platformID, Published: true, Variants: []stockbell.VariantUpsert{{PlatformID: platformID,
			InventoryItemID: "inv-" + platformID, Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "warehouse", Available: 0, UpdatedAt: soldOutAt}}}}})
	h.must(err)
	v, err := h.db.FindVariant(ctx, h.shop.ID, platformID)
	h.must(err)
	return v.ID
}

// subscribe queues n email subscribers of the variant, one second apart.
func (h *harness) subscribe(variantID int64, n int, prefix string) []int64 {
	ids := make([]int64, n)
	for i := range n {
		sub, _, err := h.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: h.shop.ID, VariantID: variantID,
			Email: fmt.Sprintf("%s%03d@example.com", prefix, i), Channels: stockbell.Channels{stockbell.ChannelEmail}})
		h.must(err)
		ids[i] = sub.ID
		h.clock.Add(time.Second)
	}
	return ids
}

// stock sets the variant's stock at one location, as a platform would, at the clock's time.
func (h *harness) stock(platformID, location string, available int) *stockbell.StockResult {
	res, err := h.db.ApplyStockChange(ctx, stockbell.StockChange{ShopID: h.shop.ID, VariantPlatformID: platformID,
		LocationID: location, Available: available, At: h.clock.Now(), Source: "test"})
	h.must(err)
	return res
}

// queuedJob is one River job row.
type queuedJob struct {
	ID          int64     `db:"id"`
	Kind        string    `db:"kind"`
	Args        string    `db:"args"`
	State       string    `db:"state"`
	ScheduledAt time.Time `db:"scheduled_at"`
}

// run works every job that is due by the test clock, oldest first, until
// none is left, and returns how many ran. Jobs were inserted by the store
// into River's table exactly as in production; here the test plays the worker.
func (h *harness) run() int {
	h.t.Helper()
	ran := 0
	for {
		job, ok := h.nextDueJob()
		if !ok {
			return ran
		}
		ran++
		if err := h.work(job); err != nil {
			h.retry(job, err)
			continue
		}
		_, err := h.db.DB.ExecContext(ctx, h.db.DB.Rebind(`UPDATE river_job SET state = 'completed', finalized_at = ? WHERE id = ?`), time.Now().UTC(), job.ID)
		h.must(err)
	}
}

// retry leaves a failed job due again, as the queue's backoff would,
// failing the test when the job keeps failing or failures are not allowed.
func (h *harness) retry(job queuedJob, err error) {
	h.t.Helper()
	if later, ok := errors.AsType[*stockbell.RetryLaterError](err); ok {
		// Snoozed, as the queue does: due again then, no attempt counted.
		_, dbErr := h.db.DB.ExecContext(ctx, h.db.DB.Rebind(`UPDATE river_job SET state = 'scheduled', scheduled_at = ? WHERE id = ?`), later.At, job.ID)
		h.must(dbErr)
		return
	}
	h.failures++
	if h.failures > h.allowFailures {
		h.t.Fatalf("job %s %s: %v", job.Kind, job.Args, err)
	}
	_, dbErr := h.db.DB.ExecContext(ctx, h.db.DB.Rebind(`UPDATE river_job SET state = 'retryable', scheduled_at = ? WHERE id = ?`), h.clock.Now(), job.ID)
	h.must(dbErr)
}

func (h *harness) nextDueJob() (queuedJob, bool) {
	argsText := "json(args)"
	if h.db.Dialect == store.Postgres {
		argsText = "args::text"
	}
	var jobs []queuedJob
	h.must(h.db.DB.SelectContext(ctx, &jobs, h.db.DB.Rebind(`SELECT id, kind, `+argsText+` AS args, state, scheduled_at FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable') ORDER BY id`)))
	for _, j := range jobs {
		if j.State == "available" || !j.ScheduledAt.After(h.clock.Now()) {
			return j, true
		}
	}
	return queuedJob{}, false
}

// work runs one job through the handler registered for its kind in production.
func (h *harness) work(j queuedJob) error {
	switch j.Kind {
	case stockbell.VariantStockChangedJob{}.Kind():
		return runJob(j, h.engine.HandleStockChanged)
	case stockbell.RestockWaitEndedJob{}.Kind():
		return runJob(j, h.engine.HandleWaitEnded)
	case stockbell.RestockBatchJob{}.Kind():
		return runJob(j, h.engine.HandleBatch)
	case stockbell.SendMessageJob{}.Kind():
		return runJob(j, h.msgr.HandleSendMessage)
	case stockbell.SendConfirmationJob{}.Kind():
		return nil // server/delivery sends it; a test confirms for the shopper
	}
	return fmt.Errorf("no handler for %s", j.Kind)
}

func runJob[T stockbell.JobArgs](j queuedJob, fn func(context.Context, T) error) error {
	var args T
	if err := json.Unmarshal([]byte(j.Args), &args); err != nil {
		return err
	}
	return fn(ctx, args)
}

// count runs a COUNT(*) query written with `?`.
func (h *harness) count(query string, args ...any) int {
	h.t.Helper()
	var n int
	h.must(h.db.DB.GetContext(ctx, &n, h.db.DB.Rebind(query), args...))
	return n
}

// notified returns the ids of the variant's notified subscriptions, oldest first.
func (h *harness) notified(variantID int64) []int64 {
	return h.subscribers(variantID, stockbell.SubscriptionNotified)
}

// subscribers returns the variant's subscriptions of a status, oldest first.
func (h *harness) subscribers(variantID int64, status stockbell.SubscriptionStatus) []int64 {
	var ids []int64
	h.must(h.db.DB.SelectContext(ctx, &ids, h.db.DB.Rebind(`SELECT id FROM subscriptions WHERE variant_id = ? AND status = ?
		ORDER BY created_at, id`), variantID, status))
	return ids
}

// events returns the variant's events of a kind, oldest first, with their details decoded.
func (h *harness) events(variantID int64, kind stockbell.EventKind) []map[string]any {
	var raws []string
	h.must(h.db.DB.SelectContext(ctx, &raws, h.db.DB.Rebind(`SELECT detail FROM events WHERE variant_id = ? AND kind = ? ORDER BY id`), variantID, kind))
	out := make([]map[string]any, len(raws))
	for i, raw := range raws {
		h.must(json.Unmarshal([]byte(raw), &out[i]))
	}
	return out
}

// waitingUntil returns the variant's waiting period end, or nil.
func (h *harness) waitingUntil(variantID int64) *time.Time {
	state, err := h.db.FindRestockState(ctx, h.shop.ID, variantID)
	h.must(err)
	return state.WaitingUntil
}

func runBoth(t *testing.T, fn func(t *testing.T, h *harness)) {
	storetest.Run(t, func(t *testing.T, db *store.DB) { fn(t, newHarness(t, db)) })
}
