package storetest

import (
	"fmt"
	"testing"

	"github.com/stockbell/stockbell/server/store"
)

// refuseDeletes is, per dialect, a trigger named name that fails every
// write marking a row of table deleted, as a failing database would.
func refuseDeletes(dialect store.Dialect, name, table string) []string {
	switch dialect {
	case store.Postgres:
		return []string{
			fmt.Sprintf(`CREATE FUNCTION %[1]s() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN RAISE EXCEPTION '%[2]s deletes refused by the test'; END $$`, name, table),
			fmt.Sprintf(`CREATE TRIGGER %[1]s BEFORE UPDATE OF deleted ON %[2]s FOR EACH ROW
				WHEN (NEW.deleted AND NOT OLD.deleted) EXECUTE FUNCTION %[1]s()`, name, table),
		}
	default:
		return []string{fmt.Sprintf(`CREATE TRIGGER %[1]s BEFORE UPDATE OF deleted ON %[2]s
			WHEN NEW.deleted AND NOT OLD.deleted BEGIN SELECT RAISE(ABORT, '%[2]s deletes refused by the test'); END`, name, table)}
	}
}

// RefuseProductDeletes makes the database fail every write that marks a
// product deleted, until the returned function is called: a real
// failure of the database under a catalog sync's sweep.
func RefuseProductDeletes(tb testing.TB, db *store.DB) (allow func()) {
	tb.Helper()
	return refuse(tb, db, "refuse_product_deletes", "products")
}

// RefuseVariantDeletes makes the database fail every write that marks a
// variant deleted (removed from its product), until the returned function
// is called: a real failure of the database under the sweep of the
// variants a catalog sync no longer lists.
func RefuseVariantDeletes(tb testing.TB, db *store.DB) (allow func()) {
	tb.Helper()
	return refuse(tb, db, "refuse_variant_deletes", "variants")
}

// refuse installs the trigger refuseDeletes names and returns what drops it.
func refuse(tb testing.TB, db *store.DB, name, table string) (allow func()) {
	tb.Helper()
	for _, stmt := range refuseDeletes(db.Dialect, name, table) {
		if _, err := db.DB.Exec(stmt); err != nil {
			tb.Fatalf("refuse %s deletes: %v", table, err)
		}
	}
	return func() {
		tb.Helper()
		if _, err := db.DB.Exec(`DROP TRIGGER ` + name + map[store.Dialect]string{store.Postgres: " ON " + table}[db.Dialect]); err != nil {
			tb.Fatalf("allow %s deletes: %v", table, err)
		}
	}
}

// RefuseReceipt makes the database fail every insert of a webhook receipt
// with the event id, whole statement and all, until the returned function
// is called: a real failure of the database under a batch of receipts
// for a reason other than their shops.
func RefuseReceipt(tb testing.TB, db *store.DB, eventID string) (allow func()) {
	tb.Helper()
	const name = "refuse_receipt"
	stmts := []string{fmt.Sprintf(`CREATE TRIGGER %[1]s BEFORE INSERT ON webhook_receipts
		WHEN NEW.event_id = '%[2]s' BEGIN SELECT RAISE(ABORT, 'receipt %[2]s refused by the test'); END`, name, eventID)}
	drop := `DROP TRIGGER ` + name
	if db.Dialect == store.Postgres {
		stmts = []string{
			fmt.Sprintf(`CREATE FUNCTION %[1]s() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN RAISE EXCEPTION 'receipt %[2]s refused by the test'; END $$`, name, eventID),
			fmt.Sprintf(`CREATE TRIGGER %[1]s BEFORE INSERT ON webhook_receipts FOR EACH ROW
				WHEN (NEW.event_id = '%[2]s') EXECUTE FUNCTION %[1]s()`, name, eventID),
		}
		drop += ` ON webhook_receipts`
	}
	for _, stmt := range stmts {
		if _, err := db.DB.Exec(stmt); err != nil {
			tb.Fatalf("refuse receipt %s: %v", eventID, err)
		}
	}
	return func() {
		tb.Helper()
		if _, err := db.DB.Exec(drop); err != nil {
			tb.Fatalf("allow receipt %s: %v", eventID, err)
		}
	}
}
