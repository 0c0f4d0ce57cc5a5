package delivery_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	"github.com/stockbell/stockbell/server/restock"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// notifiedMessage is a subscription the restock engine has notified, with
// its first flow message pending, as a restock batch leaves them.
func (w *wired) notifiedMessage(t *testing.T, email string) (*stockbell.Subscription, *stockbell.Message) {
	t.Helper()
	sub := w.subscribe(t, "A", email, "")
	if _, err := w.db.DB.ExecContext(ctx, w.db.DB.Rebind(`UPDATE subscriptions SET status = ? WHERE id = ?`), stockbell.SubscriptionNotified, sub.ID); err != nil {
		t.Fatal(err)
	}
	return sub, w.message(t, sub, stockbell.ChannelEmail, email)
}

func (w *wired) messageRow(t *testing.T, sub *stockbell.Subscription) *stockbell.Message {
	t.Helper()
	msgs, _, err := w.db.FindMessages(ctx, stockbell.MessageFilter{ShopID: &sub.ShopID, SubscriptionID: &sub.ID})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages of subscription %d: %v, %v", sub.ID, msgs, err)
	}
	return msgs[0]
}

// TestMessengerWithSMTP runs the restock engine's send_message handler on
// the delivery renderer and SMTP sender, calling it as the job queue
// would: again after each transient error.
func TestMessengerWithSMTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		messenger := &restock.Messenger{Store: db, Renderer: w.d.Renderer, Sender: w.d.Sender, Clock: newClock()}
		run := func(m *stockbell.Message) error {
			return messenger.HandleSendMessage(ctx, stockbell.SendMessageJob{MessageID: m.ID})
		}

		// A flaky server: two refused attempts, then exactly one delivered message.
		w.smtp.RefuseSessions(2)
		sub, msg := w.notifiedMessage(t, "ana@example.com")
		for attempt := 1; attempt <= 2; attempt++ {
			if err := run(msg); err == nil {
				t.Fatalf("attempt %d succeeded against a refusing server", attempt)
			}
		}
		if err := run(msg); err != nil {
			t.Fatal(err)
		}
		if err := run(msg); err != nil { // a duplicate job sends nothing
			t.Fatal(err)
		}
		row := w.messageRow(t, sub)
		received := w.smtp.Messages()
		if len(received) != 1 || row.Status != stockbell.MessageSent || row.Attempts != 3 ||
			row.ProviderID != received[0].Parse(t).Header.Get("Message-ID") {
			t.Fatalf("%d delivered, row %+v; want exactly one, sent after 3 attempts with its Message-ID", len(received), row)
		}

		// A rejecting server: failed on the first attempt with the reason, no retry.
		w.smtp.RefuseRecipient(smtptest.AnyRecipient, rejectUser)
		sub, msg = w.notifiedMessage(t, "nobody@example.com")
		if err := run(msg); err != nil {
			t.Fatalf("a permanent failure must not be retried: %v", err)
		}
		row = w.messageRow(t, sub)
		if row.Status != stockbell.MessageFailed || row.Attempts != 1 || !strings.Contains(row.Error, "No such user here") {
			t.Fatalf("row %+v, want failed after 1 attempt with the server's reason", row)
		}
		w.smtp.AcceptRecipient(smtptest.AnyRecipient)

		// Unsubscribed after the job was queued: nothing is sent.
		sub, msg = w.notifiedMessage(t, "cleo@example.com")
		if err := db.Unsubscribe(ctx, sub.ShopID, sub.ID); err != nil {
			t.Fatal(err)
		}
		if err := run(msg); err != nil {
			t.Fatal(err)
		}
		if row := w.messageRow(t, sub); row.Status != stockbell.MessageSkipped || len(w.smtp.Messages()) != 1 {
			t.Fatalf("row %+v, %d delivered; want skipped and nothing more sent", row, len(w.smtp.Messages()))
		}
	})
}
