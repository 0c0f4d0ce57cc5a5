package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/store"
)

// BulkSubscribe inserts n queued email subscriptions to the variant in one
// transaction, 500 rows a statement, a microsecond apart from start: setup
// for tests and benchmarks of large queues. The addresses are
// bulkNNNNNNN@example.com, numbered from first.
func BulkSubscribe(tb testing.TB, db *store.DB, shopID, variantID int64, first, n int, start time.Time) {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.DB.BeginTxx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	const rows = 500
	for from := 0; from < n; from += rows {
		to := min(from+rows, n)
		var b strings.Builder
		args := make([]any, 0, (to-from)*5)
		for i := from; i < to; i++ {
			if i > from {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, 'email', 'queued', ?, ?)")
			at := start.Add(time.Duration(i) * time.Microsecond)
			args = append(args, shopID, variantID, fmt.Sprintf("bulk%07d@example.com", first+i), at, at)
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO subscriptions (shop_id, variant_id, email, channels, status, created_at, updated_at) VALUES `+b.String()), args...)
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}
