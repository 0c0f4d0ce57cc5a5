package delivery_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// markFailingOnce is the real store whose first record of a confirmation
// request sent fails without storing anything, as when the connection
// drops.
type markFailingOnce struct {
	stockbell.ConfirmationService
	failed atomic.Bool
}

func (s *markFailingOnce) MarkConfirmationSent(ctx context.Context, shopID, id int64, consentText string) error {
	if s.failed.CompareAndSwap(false, true) {
		return errors.New("connection reset by peer")
	}
	return s.ConfirmationService.MarkConfirmationSent(ctx, shopID, id, consentText)
}

// countingSender accepts every message and counts them.
type countingSender struct{ sent atomic.Int32 }

func (s *countingSender) Send(context.Context, stockbell.OutboundMessage) (stockbell.SendResult, error) {
	s.sent.Add(1)
	return stockbell.SendResult{ProviderID: "SM1"}, nil
}

// TestConfirmationSentOnceWhenItsRecordFails: when recording that a
// confirmation request left fails once (a dropped connection), the job
// tries again before it ends, so the request is recorded sent and the
// queue's retry of the job does not text the shopper a second time.
func TestConfirmationSentOnceWhenItsRecordFails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f, id := pendingTextConfirmation(t, db)
		sender := &countingSender{}
		confirmations := confirmationsOf(t, &markFailingOnce{ConfirmationService: db}, sender)
		job := stockbell.SendConfirmationJob{ShopID: f.shop.ID, ConfirmationID: id}
		for try := 1; ; try++ { // as the queue retries a job that failed
			err := confirmations.HandleSendConfirmation(ctx, job)
			if err == nil {
				break
			} else if try == 3 {
				t.Fatalf("the job still fails: %v", err)
			}
		}
		if n := sender.sent.Load(); n != 1 {
			t.Fatalf("the request was sent %d times, want once", n)
		}
		var sentAt *time.Time
		if err := db.DB.GetContext(ctx, &sentAt, db.DB.Rebind(`SELECT sent_at FROM confirmations WHERE id = ?`), id); err != nil || sentAt == nil {
			t.Fatalf("the request is not recorded sent: %v %v", sentAt, err)
		}
	})
}

// pendingTextConfirmation signs a US number up for lamp A, which waits
// for the shopper's confirmation, and returns the fixture and the id of
// the confirmation asked.
func pendingTextConfirmation(t *testing.T, db *store.DB) (*shopFixture, int64) {
	t.Helper()
	f := newShopFixture(t, db)
	sub := f.subscribe(t, "A", "", "+14155550100")
	if sub.Status != stockbell.SubscriptionPending {
		t.Fatalf("subscription is %s, want pending (a US number confirms first)", sub.Status)
	}
	var id int64
	if err := db.DB.GetContext(ctx, &id, db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ?`), sub.ID); err != nil {
		t.Fatal(err)
	}
	return f, id
}

// confirmationsOf is the confirmation service on a store and a sender.
func confirmationsOf(t *testing.T, s stockbell.ConfirmationService, sender stockbell.Sender) *delivery.Confirmations {
	t.Helper()
	signer, err := delivery.NewSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return &delivery.Confirmations{Store: s, Sender: sender, Links: delivery.NewLinks("https://bell.example", signer), Clock: stockbell.SystemClock{}}
}
