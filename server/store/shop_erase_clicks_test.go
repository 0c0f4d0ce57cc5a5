package store_test

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestClickDuringAnEraseFindsTheMessageGone: a shopper's click on a link
// of a message of a shop being erased returns ENOTFOUND (the link is no
// longer available) and records no click; a click on another shop's
// message meanwhile is recorded. On PostgreSQL it comes while the erase
// has deleted the shop's shoppers, not committed: the click read the
// message as still there, and its click's foreign key waited for the
// erase and then failed the click as a violation, a server error page.
func TestClickDuringAnEraseFindsTheMessageGone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone := newEraseFixture(t, db, "gone.myshopify.com")
		kept := newEraseFixture(t, db, "kept.myshopify.com")
		must(t, db.UninstallShop(ctx, gone.shop.ID))
		click := func(fx eraseFixture) error {
			_, err := db.RecordClick(ctx, fx.message)
			return err
		}
		var err error
		if db.Dialect == store.Postgres {
			err = writeWhileTheEraseHoldsTheShoppers(t, db, gone, func() { must(t, click(kept)) },
				func() error { return click(gone) })
		} else { // SQLite's writes take turns: the erase commits first
			must(t, db.DeleteShop(ctx, gone.shop.ID))
			must(t, click(kept))
			err = click(gone)
		}
		wantCode(t, err, stockbell.ENOTFOUND, "")
		wantShopErased(t, db, gone)
		if n := count(t, db, `SELECT COUNT(*) FROM message_clicks WHERE shop_id = ?`, gone.shop.ID); n != 0 {
			t.Errorf("%d clicks of the erased shop were recorded", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM message_clicks WHERE shop_id = ?`, kept.shop.ID); n != 1 {
			t.Errorf("the other shop has %d clicks, want its 1", n)
		}
	})
}

// writeWhileTheEraseHoldsTheShoppers erases the fixture's shop on
// PostgreSQL with its first transaction (eraseShoppers) held once it
// deleted the shop's messages and subscriptions (a transaction holds a key
// share on the subscription's confirmation, which the subscriptions'
// delete cascades to), runs beside, then write until it waits for the
// erase, lets the erase go on and returns write's error.
func writeWhileTheEraseHoldsTheShoppers(t *testing.T, db *store.DB, fx eraseFixture, beside func(), write func() error) error {
	t.Helper()
	held, err := db.DB.BeginTxx(ctx, nil)
	must(t, err)
	defer held.Rollback()
	_, err = held.Exec(`SELECT id FROM confirmations WHERE id = $1 FOR KEY SHARE`, fx.confirmation)
	must(t, err)
	erased := make(chan error, 1)
	go func() { erased <- db.DeleteShop(ctx, fx.shop.ID) }()
	waitForTheEraseAt(t, db, "DELETE FROM subscriptions")
	beside()
	written := make(chan error, 1)
	go func() { written <- write() }()
	if !waitForLockWaitersOrEnd(t, db, 2, written) {
		t.Errorf("the write did not wait for the erase")
	}
	must(t, held.Commit())
	must(t, <-erased)
	return <-written
}

// TestOutboxDuringTheShoppersEraseKeepsTheMessageSent: the development
// sender's record of a message it sent while the shop's erase deletes the
// message is kept without the message (as the message's later delete
// leaves it) and erased with the shop. On PostgreSQL it comes while the
// erase has deleted the shop's shoppers, not committed: the record's
// foreign key to the message waited for the erase and then failed the
// send as a violation.
func TestOutboxDuringTheShoppersEraseKeepsTheMessageSent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone := newEraseFixture(t, db, "gone.myshopify.com")
		kept := newEraseFixture(t, db, "kept.myshopify.com")
		must(t, db.UninstallShop(ctx, gone.shop.ID))
		record := func(fx eraseFixture) error {
			return db.RecordOutboxMessage(ctx, &stockbell.OutboxMessage{ShopID: fx.shop.ID, MessageID: &fx.message,
				Channel: stockbell.ChannelSMS, Recipient: usMobile, Text: "It is back", ProviderID: "dev-1"})
		}
		var err error
		if db.Dialect == store.Postgres {
			err = writeWhileTheEraseHoldsTheShoppers(t, db, gone, func() { must(t, record(kept)) },
				func() error { return record(gone) })
		} else { // SQLite's writes take turns: the erase commits first
			must(t, db.DeleteShop(ctx, gone.shop.ID))
			must(t, record(kept))
			err = record(gone)
		}
		if db.Dialect == store.Postgres {
			must(t, err)
		} else {
			wantCode(t, err, stockbell.ENOTFOUND, "")
		}
		wantShopErased(t, db, gone)
		if n := count(t, db, `SELECT COUNT(*) FROM dev_outbox WHERE shop_id = ?`, gone.shop.ID); n != 0 {
			t.Errorf("%d outbox messages of the erased shop were kept", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM dev_outbox WHERE shop_id = ? AND message_id = ?`, kept.shop.ID, kept.message); n != 1 {
			t.Errorf("the other shop has %d outbox messages of its message, want its 1", n)
		}
	})
}
