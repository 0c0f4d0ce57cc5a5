package store_test

import (
	"fmt"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestStorefrontOriginIsFoundByIndex: a storefront's CORS preflight looks
// its origin up among every shop's origins (IsStorefrontOrigin) through
// the index on origin. Without it both databases read every installed shop
// and probed the primary key (shop_id, origin) of each. The shops hold
// thousands of origins and the statistics are gathered, so that each
// database plans the statement from the data, as in production.
func TestStorefrontOriginIsFoundByIndex(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for i := range 4 {
			shop := install(t, db, stockbell.PlatformFeed, fmt.Sprintf("origins%d.example", i))
			_, err := db.DB.Exec(db.DB.Rebind(`WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
				INSERT INTO shop_origins (shop_id, origin) SELECT ?, 'https://o' || CAST(i AS TEXT) || ? FROM n`), shop.ID, fmt.Sprintf(".shop%d.example", i))
			must(t, err)
		}
		_, err := db.DB.Exec(`ANALYZE`)
		must(t, err)
		plan := queryPlan(t, db, store.StorefrontOriginQuery, "https://o500.shop2.example", stockbell.ShopInstalled)
		if !strings.Contains(plan, "shop_origins_origin") {
			t.Errorf("IsStorefrontOrigin does not use the index shop_origins_origin:\n%s", plan)
		}
		known, err := db.IsStorefrontOrigin(ctx, "https://o500.shop2.example")
		must(t, err)
		if !known {
			t.Errorf("IsStorefrontOrigin: an allowed origin is not known")
		}
	})
}

// queryPlan returns the database's plan of the statement, written with ?,
// one line per step.
func queryPlan(t *testing.T, db *store.DB, query string, args ...any) string {
	t.Helper()
	if db.Dialect == store.Postgres {
		var lines []string
		must(t, db.DB.Select(&lines, `EXPLAIN `+db.DB.Rebind(query), args...))
		return strings.Join(lines, "\n")
	}
	rows, err := db.DB.Query(`EXPLAIN QUERY PLAN `+query, args...)
	must(t, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		must(t, rows.Scan(&id, &parent, &unused, &detail))
		lines = append(lines, detail)
	}
	must(t, rows.Err())
	return strings.Join(lines, "\n")
}
