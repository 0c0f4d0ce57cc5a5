package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// eraseFixture is an uninstalled shop with a sold-out variant, a
// subscriber awaiting an SMS confirmation and the subscriber's alert.
type eraseFixture struct {
	shop                  *stockbell.Shop
	variant, sub, message int64
	confirmation          int64
}

func newEraseFixture(t *testing.T, db *store.DB, domain string) eraseFixture {
	t.Helper()
	fx := newOptinFixtureAt(t, db, domain)
	sub := fx.subscribe(t, db, "", usMobile)
	c := confirmationOf(t, db, sub.ID, stockbell.ChannelSMS)
	must(t, db.MarkConfirmationSent(ctx, fx.shop.ID, c.ID, "Reply YES"))
	message := sentMessage(t, db, fx.shop.ID, sub.ID, 1, stockbell.MessagePending, db.Clock.Now())
	return eraseFixture{shop: fx.shop, variant: fx.variant.ID, sub: sub.ID, message: message, confirmation: c.ID}
}

// TestDeleteShopTakesLocksInOrder: on PostgreSQL erasing an uninstalled
// shop waits for a writer that holds the shop's rows and then, while the
// erase waits, takes the locks that writer takes next: a confirmation
// (its subscription and confirmation, then the shop's key-share lock,
// holdShopForQueueing), a send step (its message, then the subscription
// and the key-share lock of its variant, requeueSubscriber), a sign-up
// (its variant's key share, findVariantForSubscription, then its insert,
// whose foreign keys take the shop's, or, signing up again, the existing
// subscription's lock) and a stock change (its variant for
// update, then the shop's key share, as its restock batch's insert takes
// it). Had the erase locked the shop for its delete, or deleted the
// subscription or the variant, before it waited, each would wait for the
// other and PostgreSQL would abort one as a deadlock.
func TestDeleteShopTakesLocksInOrder(t *testing.T) {
	writers := []struct {
		name        string
		first, next func(fx eraseFixture) []string
	}{
		{"confirmation", func(fx eraseFixture) []string {
			return []string{lockRow("subscriptions", fx.sub, "UPDATE"), lockRow("confirmations", fx.confirmation, "UPDATE")}
		}, func(fx eraseFixture) []string {
			return []string{lockRow("shops", fx.shop.ID, "KEY SHARE"),
				fmt.Sprintf(`UPDATE confirmations SET confirmed_at = now() WHERE id = %d`, fx.confirmation),
				fmt.Sprintf(`UPDATE subscriptions SET status = 'queued' WHERE id = %d`, fx.sub)}
		}},
		{"send step", func(fx eraseFixture) []string {
			return []string{lockRow("messages", fx.message, "UPDATE")}
		}, func(fx eraseFixture) []string {
			return []string{fmt.Sprintf(`UPDATE messages SET status = 'skipped' WHERE id = %d`, fx.message),
				lockRow("subscriptions", fx.sub, "UPDATE"), lockRow("variants", fx.variant, "KEY SHARE"),
				fmt.Sprintf(`UPDATE subscriptions SET status = 'queued' WHERE id = %d`, fx.sub)}
		}},
		{"sign-up", func(fx eraseFixture) []string {
			return []string{lockRow("variants", fx.variant, "KEY SHARE")}
		}, func(fx eraseFixture) []string {
			return []string{fmt.Sprintf(`INSERT INTO subscriptions (shop_id, variant_id, email, phone, channels, status, consent_ip,
				created_at, updated_at) VALUES (%d, %d, 'bob@example.com', '', 'email', 'queued', '203.0.113.9', now(), now())`,
				fx.shop.ID, fx.variant)}
		}},
		{"repeat sign-up", func(fx eraseFixture) []string {
			return []string{lockRow("variants", fx.variant, "KEY SHARE")}
		}, func(fx eraseFixture) []string {
			return []string{lockRow("subscriptions", fx.sub, "UPDATE")}
		}},
		{"stock change", func(fx eraseFixture) []string {
			return []string{lockRow("variants", fx.variant, "UPDATE")}
		}, func(fx eraseFixture) []string {
			return []string{fmt.Sprintf(`UPDATE variants SET stock = 3 WHERE id = %d`, fx.variant),
				lockRow("shops", fx.shop.ID, "KEY SHARE")}
		}},
	}
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			db := storetest.Open(t, store.Postgres)
			fx := newEraseFixture(t, db, "erased.myshopify.com")
			must(t, db.UninstallShop(ctx, fx.shop.ID))

			writer := beginFirstToDeadlock(t, db)
			for _, statement := range w.first(fx) {
				_, err := writer.Exec(statement)
				must(t, err)
			}
			done := make(chan error, 1)
			go func() { done <- db.DeleteShop(ctx, fx.shop.ID) }()
			waitForLockWaiters(t, db, 1)
			for _, statement := range w.next(fx) {
				if _, err := writer.Exec(statement); err != nil {
					t.Fatalf("the %s's %q, with the erase waiting for it: %v", w.name, statement, err)
				}
			}
			must(t, writer.Commit())
			must(t, <-done)
			wantShopErased(t, db, fx)
		})
	}
}

// TestDeleteShopLeavesAnotherShopsRowsAlone: erasing a shop neither waits
// for nor touches the rows of another shop that a writer holds.
func TestDeleteShopLeavesAnotherShopsRowsAlone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone := newEraseFixture(t, db, "gone.myshopify.com")
		kept := newEraseFixture(t, db, "kept.myshopify.com")
		must(t, db.UninstallShop(ctx, gone.shop.ID))
		if db.Dialect == store.Postgres {
			writer := beginFirstToDeadlock(t, db)
			for _, statement := range []string{lockRow("messages", kept.message, "UPDATE"), lockRow("subscriptions", kept.sub, "UPDATE"),
				lockRow("confirmations", kept.confirmation, "UPDATE"), lockRow("variants", kept.variant, "UPDATE"),
				lockRow("shops", kept.shop.ID, "UPDATE")} {
				_, err := writer.Exec(statement)
				must(t, err)
			}
		}
		// A bound on a wait that must not happen: it fails, never passes, the test.
		bounded, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		must(t, db.DeleteShop(bounded, gone.shop.ID))
		wantShopErased(t, db, gone)
		for _, table := range []string{"shops", "products", "variants", "subscriptions", "confirmations", "messages"} {
			column := "shop_id"
			if table == "shops" {
				column = "id"
			}
			if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE `+column+` = ?`, kept.shop.ID); n == 0 {
				t.Errorf("the other shop lost its rows in %s", table)
			}
		}
	})
}

func wantShopErased(t *testing.T, db *store.DB, fx eraseFixture) {
	t.Helper()
	for _, table := range []string{"products", "variants", "subscriptions", "confirmations", "messages", "events"} {
		if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE shop_id = ?`, fx.shop.ID); n != 0 {
			t.Errorf("%d rows of the erased shop remain in %s", n, table)
		}
	}
	_, err := db.FindShopByID(ctx, fx.shop.ID)
	wantCode(t, err, stockbell.ENOTFOUND, "")
}

// lockRow is the statement that takes lock ("UPDATE", "KEY SHARE") on a
// row of table.
func lockRow(table string, id int64, lock string) string {
	return fmt.Sprintf(`SELECT id FROM %s WHERE id = %d FOR %s`, table, id, lock)
}
