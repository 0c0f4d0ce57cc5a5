package store_test

import (
	"io/fs"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/migrations"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// migrateAgain runs the Up statements of one migration of the database's
// dialect again, over the rows a test wrote as an older build did.
func migrateAgain(t *testing.T, db *store.DB, name string) {
	t.Helper()
	fsys, err := migrations.FS(string(db.Dialect))
	must(t, err)
	text, err := fs.ReadFile(fsys, name)
	must(t, err)
	up, _, _ := strings.Cut(string(text), "-- +goose Down")
	for _, statement := range strings.Split(up, ";\n") {
		if strings.Contains(statement, "UPDATE") || strings.Contains(statement, "INSERT") || strings.Contains(statement, "DELETE") {
			_, err := db.DB.ExecContext(ctx, statement)
			must(t, err)
		}
	}
}

// TestMigrationUnnotifiesHeldShoppers: migration 0270 turns the shoppers
// an older build recorded as notified when their batch was held into held
// ones (alert awaiting approval) or discarded ones (alert discarded),
// their notified event into a held one; a shopper whose alert was sent
// stays notified.
func TestMigrationUnnotifiesHeldShoppers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		clock := useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "old.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		v := variant(t, db, shop.ID, "v1")
		at := clock.Now()
		notifiedAsBefore := func(email string, first stockbell.MessageStatus, reason string) int64 {
			id := insertSubscription(t, db, shop.ID, v.ID, email, "", stockbell.SubscriptionNotified)
			msg := sentMessage(t, db, shop.ID, id, 1, first, at)
			_, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE subscriptions SET notified_at = ? WHERE id = ?`), at, id)
			must(t, err)
			_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE messages SET error = ? WHERE id = ?`), reason, msg)
			must(t, err)
			_, err = db.DB.ExecContext(ctx, db.DB.Rebind(`INSERT INTO events (shop_id, kind, variant_id, subscription_id, detail, created_at)
				VALUES (?, ?, ?, ?, '{"batch_id":7,"channel":"email"}', ?)`), shop.ID, stockbell.EventNotified, v.ID, id, at)
			must(t, err)
			return id
		}
		held := notifiedAsBefore("held@example.com", stockbell.MessageHeld, "")
		discarded := notifiedAsBefore("discarded@example.com", stockbell.MessageSkipped, string(stockbell.SkipDiscarded))
		sent := notifiedAsBefore("sent@example.com", stockbell.MessageSent, "")

		migrateAgain(t, db, "0270_held_not_notified.sql")
		wantSubscriptions(t, db, shop.ID, []int64{held}, stockbell.SubscriptionHeld, nil)
		wantSubscriptions(t, db, shop.ID, []int64{discarded}, stockbell.SubscriptionDiscarded, nil)
		wantSubscriptions(t, db, shop.ID, []int64{sent}, stockbell.SubscriptionNotified, &at)
		for kind, want := range map[stockbell.EventKind]int{stockbell.EventNotified: 1, stockbell.EventHeld: 2} {
			if n := count(t, db, `SELECT COUNT(*) FROM events WHERE shop_id = ? AND kind = ?`, shop.ID, kind); n != want {
				t.Errorf("%d %s events, want %d", n, kind, want)
			}
		}
		wantHeldCount(t, db, shop.ID, 1)
	})
}
