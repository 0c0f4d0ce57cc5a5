package delivery_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// failingSender fails every message with err while it is set, and
// accepts them when it is nil; it counts the messages handed to it.
type failingSender struct {
	err   error
	tries int
}

func (s *failingSender) Send(context.Context, stockbell.OutboundMessage) (stockbell.SendResult, error) {
	s.tries++
	if s.err != nil {
		return stockbell.SendResult{}, s.err
	}
	return stockbell.SendResult{ProviderID: "SM1"}, nil
}

// confirmationAt reads a confirmation as the store keeps it.
func confirmationAt(t *testing.T, db *store.DB, shopID, id int64) stockbell.Confirmation {
	t.Helper()
	req, err := db.FindConfirmationRequest(ctx, shopID, id)
	if err != nil {
		t.Fatal(err)
	}
	return req.Confirmation
}

// TestConfirmationRefusedForGoodIsRecorded: a confirmation request the
// provider refuses for good is recorded as not sent, with the provider's
// words, and its job ends. A run of the job again sends nothing; once the
// merchant sends it again, the same job sends it and records it sent.
func TestConfirmationRefusedForGoodIsRecorded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, id := pendingTextConfirmation(t, db)
		refusal := &stockbell.Error{Code: stockbell.EINVALID, Field: "to",
			Message: "The SMS provider refused the message: HTTP 400, Twilio error 21614: 'To' number is not a valid mobile number"}
		sender := &failingSender{err: refusal}
		confirmations := confirmationsOf(t, db, sender)
		job := stockbell.SendConfirmationJob{ShopID: f.shop.ID, ConfirmationID: id}
		if err := confirmations.HandleSendConfirmation(stockbell.WithJobAttempt(ctx, 1), job); err != nil {
			t.Fatalf("the job of a request refused for good: %v, want it ended", err)
		}
		if c := confirmationAt(t, db, f.shop.ID, id); c.FailedAt == nil || c.Failure != refusal.Message || c.SentAt != nil {
			t.Fatalf("the refused request: failed at %v with %q, sent at %v; want failed with the provider's words", c.FailedAt, c.Failure, c.SentAt)
		}
		sender.err = nil
		if err := confirmations.HandleSendConfirmation(stockbell.WithJobAttempt(ctx, 1), job); err != nil || sender.tries != 1 {
			t.Fatalf("the job run again for a refused request: %v, %d sends; want nothing sent", err, sender.tries)
		}
		if n, err := db.SendConfirmationAgain(ctx, f.shop.ID, confirmationAt(t, db, f.shop.ID, id).SubscriptionID); err != nil || n != 1 {
			t.Fatalf("sending it again: %d queued (%v), want 1", n, err)
		}
		if err := confirmations.HandleSendConfirmation(stockbell.WithJobAttempt(ctx, 1), job); err != nil || sender.tries != 2 {
			t.Fatalf("the job after sending it again: %v, %d sends; want it sent", err, sender.tries)
		}
		if c := confirmationAt(t, db, f.shop.ID, id); c.SentAt == nil || c.FailedAt != nil {
			t.Fatalf("the request sent again: sent at %v, failed at %v; want sent", c.SentAt, c.FailedAt)
		}
	})
}

// TestConfirmationGivenUpOnItsLastAttempt: a request the provider fails
// for now is left to the queue's retry, with nothing recorded, until the
// job's last attempt (stockbell.ConfirmationMaxAttempts): then it is
// recorded as not sent, saying after how many attempts and why, and the
// job ends.
func TestConfirmationGivenUpOnItsLastAttempt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, id := pendingTextConfirmation(t, db)
		sender := &failingSender{err: errors.New("twilio: HTTP 503, Twilio error 0: Service Unavailable")}
		confirmations := confirmationsOf(t, db, sender)
		job := stockbell.SendConfirmationJob{ShopID: f.shop.ID, ConfirmationID: id}
		err := confirmations.HandleSendConfirmation(stockbell.WithJobAttempt(ctx, stockbell.ConfirmationMaxAttempts-1), job)
		if err == nil || confirmationAt(t, db, f.shop.ID, id).FailedAt != nil {
			t.Fatalf("a failure for now before the last attempt: %v, recorded %+v; want an error for the retry, nothing recorded",
				err, confirmationAt(t, db, f.shop.ID, id))
		}
		if err := confirmations.HandleSendConfirmation(stockbell.WithJobAttempt(ctx, stockbell.ConfirmationMaxAttempts), job); err != nil {
			t.Fatalf("the last attempt: %v, want the job ended", err)
		}
		c := confirmationAt(t, db, f.shop.ID, id)
		if c.FailedAt == nil || !strings.HasPrefix(c.Failure, "given up after 10 attempts: ") || !strings.Contains(c.Failure, "HTTP 503") {
			t.Fatalf("the request given up: failed at %v with %q; want it failed, saying why", c.FailedAt, c.Failure)
		}
	})
}
