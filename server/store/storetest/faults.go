package storetest

import (
	"testing"

	"github.com/stockbell/stockbell/server/store"
)

// refuseProductDeletes is, per dialect, a trigger that fails every write
// marking a product deleted, as a failing database would.
var refuseProductDeletes = map[store.Dialect][]string{
	store.SQLite: {`CREATE TRIGGER refuse_product_deletes BEFORE UPDATE OF deleted ON products
		WHEN NEW.deleted AND NOT OLD.deleted BEGIN SELECT RAISE(ABORT, 'product deletes refused by the test'); END`},
	store.Postgres: {`CREATE FUNCTION refuse_product_deletes() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'product deletes refused by the test'; END $$`,
		`CREATE TRIGGER refuse_product_deletes BEFORE UPDATE OF deleted ON products FOR EACH ROW
		WHEN (NEW.deleted AND NOT OLD.deleted) EXECUTE FUNCTION refuse_product_deletes()`},
}

// RefuseProductDeletes makes the database fail every write that marks a
// product deleted, until the returned function is called: a real
// failure of the database under a catalog sync's sweep.
func RefuseProductDeletes(tb testing.TB, db *store.DB) (allow func()) {
	tb.Helper()
	for _, stmt := range refuseProductDeletes[db.Dialect] {
		if _, err := db.DB.Exec(stmt); err != nil {
			tb.Fatalf("refuse product deletes: %v", err)
		}
	}
	return func() {
		tb.Helper()
		if _, err := db.DB.Exec(`DROP TRIGGER refuse_product_deletes` + map[store.Dialect]string{store.Postgres: " ON products"}[db.Dialect]); err != nil {
			tb.Fatalf("allow product deletes: %v", err)
		}
	}
}
