package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// The double opt-in methods in the store walk: the confirmation ones take
// the shop id; a job's lookup and an SMS reply (which names a phone number,
// not a shop) do not.
func init() {
	unscoped["ConfirmReply"] = "an SMS reply names a phone number, not a shop: it confirms what was asked of that number"
	unscoped["StopSMS"] = "an SMS reply names a phone number, not a shop: STOP opts the number out everywhere"
	probes["MarkConfirmationSent"] = func(t *testing.T, db *store.DB, fx *tenancy) {
		id := bConfirmation(t, db, fx)
		wantCodeOf(t, "MarkConfirmationSent", db.MarkConfirmationSent(ctx, fx.a.ID, id, "a text"), stockbell.ENOTFOUND)
		if c := confirmationRow(t, db, id); c.SentAt != nil || c.ConsentText != "" {
			t.Errorf("MarkConfirmationSent through shop A changed B's confirmation: %+v", c)
		}
	}
	probes["MarkConfirmationFailed"] = func(t *testing.T, db *store.DB, fx *tenancy) {
		id := bConfirmation(t, db, fx)
		wantCodeOf(t, "MarkConfirmationFailed", db.MarkConfirmationFailed(ctx, fx.a.ID, id, "refused"), stockbell.ENOTFOUND)
		if c := confirmationRow(t, db, id); c.FailedAt != nil || c.Failure != "" {
			t.Errorf("MarkConfirmationFailed through shop A changed B's confirmation: %+v", c)
		}
	}
	probes["SendConfirmationAgain"] = func(t *testing.T, db *store.DB, fx *tenancy) {
		id := bConfirmation(t, db, fx)
		_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE confirmations SET failed_at = ?, failure = 'refused' WHERE id = ?`), db.Clock.Now(), id)
		must(t, err)
		n, err := db.SendConfirmationAgain(ctx, fx.a.ID, fx.bSub)
		wantCodeOf(t, "SendConfirmationAgain", err, stockbell.ENOTFOUND)
		if c := confirmationRow(t, db, id); n != 0 || c.FailedAt == nil {
			t.Errorf("SendConfirmationAgain through shop A queued %d of B's confirmations: %+v", n, c)
		}
	}
	probes["FindConfirmationRequest"] = func(t *testing.T, db *store.DB, fx *tenancy) {
		req, err := db.FindConfirmationRequest(ctx, fx.a.ID, bConfirmation(t, db, fx))
		wantCodeOf(t, "FindConfirmationRequest", err, stockbell.ENOTFOUND)
		unseen(t, "FindConfirmationRequest", req, err)
	}
	probes["Confirm"] = func(t *testing.T, db *store.DB, fx *tenancy) {
		id := bConfirmation(t, db, fx)
		c, err := db.Confirm(ctx, fx.a.ID, id, stockbell.ConfirmedByLink)
		wantCodeOf(t, "Confirm", err, stockbell.ENOTFOUND)
		unseen(t, "Confirm", c, err)
		if c := confirmationRow(t, db, id); c.ConfirmedAt != nil {
			t.Errorf("Confirm through shop A confirmed B's confirmation: %+v", c)
		}
	}
}

// bConfirmation inserts an open confirmation of B's subscriber, once per
// database, and returns its id.
func bConfirmation(t *testing.T, db *store.DB, fx *tenancy) int64 {
	t.Helper()
	var id int64
	err := db.DB.GetContext(ctx, &id, db.DB.Rebind(`SELECT id FROM confirmations WHERE subscription_id = ?`), fx.bSub)
	if err == nil {
		return id
	}
	must(t, db.DB.GetContext(ctx, &id, db.DB.Rebind(`INSERT INTO confirmations (shop_id, subscription_id, channel, recipient,
		requested_at) VALUES (?, ?, 'email', ?, ?) RETURNING id`), fx.b.ID, fx.bSub, secret+"@example.com", db.Clock.Now()))
	return id
}

func confirmationRow(t *testing.T, db *store.DB, id int64) stockbell.Confirmation {
	t.Helper()
	var c stockbell.Confirmation
	must(t, db.DB.GetContext(ctx, &c, db.DB.Rebind(`SELECT id, shop_id, subscription_id, channel, recipient, consent_text,
		requested_at, sent_at, confirmed_at, method, failed_at, failure FROM confirmations WHERE id = ?`), id))
	return c
}
