package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// shopWriter is a write to one shop that may come while an uninstalled
// shop is being erased, and the table it writes rows of the shop to.
type shopWriter struct {
	name, table string
	write       func(db *store.DB, shopID int64) error
}

// writersDuringAnErase are the store calls that can write to an
// uninstalled shop awaiting its erase: the admin's (its session was read
// before the uninstall), a sync job's and a platform's late callbacks.
var writersDuringAnErase = []shopWriter{
	{"first settings update", "restock_settings", func(db *store.DB, shopID int64) error {
		_, err := db.UpdateSettings(ctx, shopID, stockbell.SettingsUpdate{PerUnit: ptr(3)})
		return err
	}},
	{"flow", "flows", func(db *store.DB, shopID int64) error {
		return db.UpdateFlow(ctx, stockbell.DefaultFlow(shopID))
	}},
	{"API key", "api_keys", func(db *store.DB, shopID int64) error {
		_, _, err := db.CreateAPIKey(ctx, shopID, "reports")
		return err
	}},
	{"report schedule", "report_subscriptions", func(db *store.DB, shopID int64) error {
		_, err := db.CreateReportSubscription(ctx, stockbell.ReportSubscriptionCreate{ShopID: shopID, Email: "owner@example.com",
			Report: stockbell.ReportActivity, Frequency: stockbell.ReportWeekly, CreatedBy: "owner"})
		return err
	}},
	{"shop user", "shop_users", func(db *store.DB, shopID int64) error {
		return db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shopID, UserID: "9128", Owner: true})
	}},
	{"shop user removed", "shop_users", func(db *store.DB, shopID int64) error {
		return db.RevokeShopUser(ctx, shopID, "9128", time.Time{})
	}},
	{"webhook secret", "webhook_secrets", func(db *store.DB, shopID int64) error {
		_, err := db.EnsureWebhookSecret(ctx, secretOf(shopID, "secret of shop "+strconv.FormatInt(shopID, 10)))
		return err
	}},
	{"sync log", "events", func(db *store.DB, shopID int64) error {
		return db.RecordSync(ctx, stockbell.SyncReport{ShopID: shopID, Source: "catalog", Items: 2})
	}},
	{"sync failure", "sync_failures", func(db *store.DB, shopID int64) error {
		return db.RecordSync(ctx, stockbell.SyncReport{ShopID: shopID, Source: "catalog", Failure: "refused"})
	}},
	{"sign-in link", "admin_sign_in_links", func(db *store.DB, shopID int64) error {
		_, _, err := db.CreateSignInLink(ctx, stockbell.SignInLinkCreate{ShopID: shopID, Email: "staff@example.com"})
		return err
	}},
	{"storefront origin", "shop_origins", func(db *store.DB, shopID int64) error {
		return db.AddShopOrigin(ctx, shopID, "https://headless.example")
	}},
	{"development outbox", "dev_outbox", func(db *store.DB, shopID int64) error {
		return db.RecordOutboxMessage(ctx, &stockbell.OutboxMessage{ShopID: shopID, Channel: stockbell.ChannelEmail,
			Recipient: "owner@example.com", Subject: "Weekly report", Text: "…", ProviderID: "dev-1"})
	}},
	{"webhook endpoint", "webhook_endpoints", func(db *store.DB, shopID int64) error {
		_, err := db.CreateWebhookEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: shopID, URL: "https://hooks.example.com/x",
			EventTypes: stockbell.WebhookEventTypes[:1]}, []byte("sealed"))
		return err
	}},
}

// TestWriteDuringAnEraseFindsTheShopGone: a write to an uninstalled shop
// that comes while its erase has deleted the shop's row, not yet
// committed, waits on PostgreSQL for the erase and returns ENOTFOUND,
// leaving none of its rows behind; the same write to another shop meanwhile
// waits for nothing. Without the shop's key-share lock taken first, the
// write read the shop as still there and inserted its row, whose foreign
// key's check waited for the erase and then failed the write as a
// violation (a 500), and a write with no such key (the sync log's event)
// committed its rows after the erase had deleted the shop's.
func TestWriteDuringAnEraseFindsTheShopGone(t *testing.T) {
	for _, w := range writersDuringAnErase {
		t.Run(w.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				gone := newEraseFixture(t, db, "gone.myshopify.com")
				kept := newEraseFixture(t, db, "kept.myshopify.com")
				must(t, db.UninstallShop(ctx, gone.shop.ID))
				var err error
				if db.Dialect == store.Postgres {
					err = writeWhileTheEraseHoldsTheShop(t, db, gone, func() {
						must(t, boundedWrite(w, db, kept.shop.ID))
					}, func() error { return w.write(db, gone.shop.ID) })
				} else { // SQLite's writes take turns: the erase commits first
					must(t, db.DeleteShop(ctx, gone.shop.ID))
					must(t, w.write(db, kept.shop.ID))
					err = w.write(db, gone.shop.ID)
				}
				wantShopErased(t, db, gone)
				if n := count(t, db, `SELECT COUNT(*) FROM `+w.table+` WHERE shop_id = ?`, gone.shop.ID); n != 0 {
					t.Errorf("%d rows of the erased shop were left in %s", n, w.table)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM `+w.table+` WHERE shop_id = ?`, kept.shop.ID); n == 0 {
					t.Errorf("the other shop's %s has no row in %s", w.name, w.table)
				}
				wantCode(t, err, stockbell.ENOTFOUND, "")
			})
		})
	}
}

// writeWhileTheEraseHoldsTheShop erases the fixture's shop on PostgreSQL
// with its erase held once it deleted the shop's row (a transaction holds
// the shop's uninstall event, which the erase deletes next), runs
// meanwhile beside, then write until it waits for the erase, lets the
// erase commit and returns write's error.
func writeWhileTheEraseHoldsTheShop(t *testing.T, db *store.DB, fx eraseFixture, beside func(), write func() error) error {
	t.Helper()
	held, err := db.DB.BeginTxx(ctx, nil)
	must(t, err)
	defer held.Rollback()
	_, err = held.Exec(`SELECT id FROM events WHERE shop_id = $1 FOR UPDATE`, fx.shop.ID)
	must(t, err)
	erased := make(chan error, 1)
	go func() { erased <- db.DeleteShop(ctx, fx.shop.ID) }()
	waitForTheEraseAtItsEvents(t, db)
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

// waitForTheEraseAtItsEvents waits until a session waits for a lock at
// the erase's delete of the shop's events. A session may wait for another
// lock a moment before it gets there: it is waited past, where a first
// waiter counted and then read could be gone by the read.
func waitForTheEraseAtItsEvents(t *testing.T, db *store.DB) {
	t.Helper()
	waitForTheEraseAt(t, db, "DELETE FROM events")
}

// waitForTheEraseAt waits until a session waits for a lock at a statement
// containing statement, as waitForTheEraseAtItsEvents does.
func waitForTheEraseAt(t *testing.T, db *store.DB, statement string) {
	t.Helper()
	var waiting []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		waiting = nil
		must(t, db.DB.Select(&waiting, `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))
		for _, q := range waiting {
			if strings.Contains(q, statement) {
				return
			}
		}
	}
	t.Fatalf("the erase waits at %q after 10 s, want it at %q", waiting, statement)
}

// waitForLockWaitersOrEnd waits until n of the database's sessions wait
// for a lock, and reports true, or until done receives, which it puts
// back, and reports false.
func waitForLockWaitersOrEnd(t *testing.T, db *store.DB, n int, done chan error) bool {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var waiting int
		must(t, db.DB.Get(&waiting, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`))
		if waiting >= n {
			return true
		}
		select {
		case err := <-done:
			done <- err
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("fewer than %d sessions wait for a lock after 10 s, and the write has not returned", n)
	return false
}

// boundedWrite runs w for the shop within a minute: a bound on a wait that
// must not happen, which fails the test rather than hangs it.
func boundedWrite(w shopWriter, db *store.DB, shopID int64) error {
	done := make(chan error, 1)
	go func() { done <- w.write(db, shopID) }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		return context.DeadlineExceeded
	}
}

// TestEraseAfterAFirstSettingsUpdateErasesIt: a shop's first settings
// update (it inserts the settings row) that has not committed when the
// shop's erase starts is stored, and then erased with the shop: on
// PostgreSQL the erase erases the shoppers meanwhile, then waits for the
// update's commit before it deletes the shop's row, which takes the
// settings row with it; neither waits for the other twice (a deadlock,
// which PostgreSQL would abort). Another shop's settings stay.
func TestEraseAfterAFirstSettingsUpdateErasesIt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		gone := newEraseFixture(t, db, "gone.myshopify.com")
		kept := newEraseFixture(t, db, "kept.myshopify.com")
		_, err := db.UpdateSettings(ctx, kept.shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(3)})
		must(t, err)
		must(t, db.UninstallShop(ctx, gone.shop.ID))
		erased := make(chan error, 1)
		settings, err := store.UpdateSettingsBeforeCommit(db, gone.shop.ID, stockbell.SettingsUpdate{PerUnit: ptr(3)}, func() {
			if db.Dialect != store.Postgres {
				return // SQLite's writes take turns: the erase comes after the commit
			}
			go func() { erased <- db.DeleteShop(ctx, gone.shop.ID) }()
			waitForLockWaiters(t, db, 1)
			if n := count(t, db, `SELECT COUNT(*) FROM subscriptions WHERE shop_id = ?`, gone.shop.ID); n != 0 {
				t.Errorf("the erase waits with %d shoppers left, want it at the shop's row, its shoppers erased", n)
			}
		})
		must(t, err)
		if settings.PerUnit != 3 {
			t.Errorf("the update answered %+v, want its per unit, 3", settings)
		}
		if db.Dialect == store.Postgres {
			must(t, <-erased)
		} else {
			must(t, db.DeleteShop(ctx, gone.shop.ID))
		}
		wantShopErased(t, db, gone)
		if n := count(t, db, `SELECT COUNT(*) FROM restock_settings WHERE shop_id = ?`, gone.shop.ID); n != 0 {
			t.Errorf("the erased shop's settings were left")
		}
		stored, err := db.FindSettings(ctx, kept.shop.ID)
		must(t, err)
		if stored.PerUnit != 3 {
			t.Errorf("the other shop's settings are %+v, want its per unit, 3", stored)
		}
	})
}
