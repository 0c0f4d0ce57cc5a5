package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// refusingSender refuses every message for good while refuse is set (as
// a provider refuses an address it will not deliver to), and keeps those
// it accepts otherwise.
type refusingSender struct {
	capturingSender
	refuse bool
}

func (s *refusingSender) Send(ctx context.Context, out stockbell.OutboundMessage) (stockbell.SendResult, error) {
	if s.refuse {
		return stockbell.SendResult{}, stockbell.Errorf(stockbell.EINVALID, "550 5.1.1 mailbox unavailable")
	}
	return s.capturingSender.Send(ctx, out)
}

// runConfirmationJobs runs, in order, the send_confirmation jobs queued
// after the first `done`, as the queue would, and returns how many there
// are in all.
func runConfirmationJobs(t *testing.T, db *store.DB, confirmations *delivery.Confirmations, done int) int {
	t.Helper()
	var jobs []stockbell.SendConfirmationJob
	argsText := "json(args)"
	if db.Dialect == store.Postgres {
		argsText = "args::text"
	}
	var raws []string
	if err := db.DB.Select(&raws, `SELECT `+argsText+` FROM river_job WHERE kind = 'send_confirmation' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	for _, raw := range raws {
		var job stockbell.SendConfirmationJob
		if err := json.Unmarshal([]byte(raw), &job); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job)
	}
	for _, job := range jobs[min(done, len(jobs)):] {
		if err := confirmations.HandleSendConfirmation(stockbell.WithJobAttempt(context.Background(), 1), job); err != nil {
			t.Fatal(err)
		}
	}
	return len(jobs)
}

// TestStorefrontRepeatSendsAFailedConfirmationOnce: with email double
// opt-in on, a shopper whose confirmation email the provider refused
// submits the storefront form again. The answer is the one a repeat
// always gets (200, the pending subscription awaiting its email), and
// the request is sent again, once: a third submission while that send
// is on its way queues nothing, and one after it was sent sends nothing.
func TestStorefrontRepeatSendsAFailedConfirmationOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newStorefront(t, db, noLimits(), noLimits())
		on := true
		if _, err := db.UpdateSettings(context.Background(), f.shop.ID, stockbell.SettingsUpdate{EmailDoubleOptIn: &on}); err != nil {
			t.Fatal(err)
		}
		signer, err := delivery.NewSigner([]byte(strings.Repeat("k", 32)))
		if err != nil {
			t.Fatal(err)
		}
		sender := &refusingSender{refuse: true}
		confirmations := &delivery.Confirmations{Store: db, Sender: sender, Links: delivery.NewLinks("https://bell.example", signer),
			Clock: stockbell.SystemClock{}}
		code, first, _ := f.post(t, body(nil))
		if code != http.StatusCreated {
			t.Fatalf("first subscription: %d %v", code, first)
		}
		done := runConfirmationJobs(t, db, confirmations, 0)
		if failed := pendingConfirmation(t, db); failed.FailedAt == nil {
			t.Fatalf("the refused confirmation: %+v, want it recorded as not sent", failed)
		}
		sender.refuse = false
		for i := range 2 {
			code, again, _ := f.post(t, body(nil))
			got, want := again["subscription"].(map[string]any), first["subscription"].(map[string]any)
			if code != http.StatusOK || !reflect.DeepEqual(got, want) {
				t.Fatalf("repeat %d: %d %v, want 200 with the subscription as first answered: %v", i+1, code, again, want)
			}
		}
		if n := runConfirmationJobs(t, db, confirmations, done); n != 2 {
			t.Fatalf("%d send_confirmation jobs after two repeats, want the first and one more", n)
		}
		if len(sender.sent) != 1 || sender.sent[0].To != "jane@example.com" || sender.sent[0].Channel != stockbell.ChannelEmail {
			t.Fatalf("sent %+v, want the confirmation email to jane@example.com once", sender.sent)
		}
		if c := pendingConfirmation(t, db); c.SentAt == nil || c.FailedAt != nil {
			t.Fatalf("the confirmation sent again: %+v, want it sent", c)
		}
		f.post(t, body(nil))
		if n := runConfirmationJobs(t, db, confirmations, 2); n != 2 || len(sender.sent) != 1 {
			t.Fatalf("a repeat after the request was sent: %d jobs, %d sent; want nothing more", n, len(sender.sent))
		}
	})
}

// pendingConfirmation reads the only confirmation.
func pendingConfirmation(t *testing.T, db *store.DB) stockbell.Confirmation {
	t.Helper()
	var c stockbell.Confirmation
	if err := db.DB.Get(&c, `SELECT id, shop_id, subscription_id, channel, recipient, consent_text, requested_at, sent_at,
		confirmed_at, method, failed_at, failure FROM confirmations`); err != nil {
		t.Fatal(err)
	}
	return c
}
