package store

import (
	"context"
	"io/fs"

	"github.com/pressly/goose/v3"
	stockbell "github.com/stockbell/stockbell"
)

// MigrationsFrom exposes the goose provider constructor Migrate uses, over
// another folder, to tests.
func (c *Conn) MigrationsFrom(fsys fs.FS) (*goose.Provider, error) { return c.migrationsFrom(fsys) }

// StatementCache reports, for the SQLite connection conn wraps, how many
// statements it prepared and how many it keeps.
func StatementCache(conn any) (prepared, cached int) {
	c := conn.(*cachingConn)
	return c.prepared, c.lru.Len()
}

// CreateSubscriptionsInOneBatch runs the creates as one group-commit batch,
// as the writer runs concurrent requests it gathered, and returns each
// one's outcome.
func CreateSubscriptionsInOneBatch(db *DB, creates []stockbell.SubscriptionCreate) ([]*stockbell.Subscription, []bool, []error) {
	n := len(creates)
	subs, created, errs := make([]*stockbell.Subscription, n), make([]bool, n), make([]error, n)
	batch := make([]*groupWrite, n)
	for i, c := range creates {
		if err := validateSubscriptionCreate(&c); err != nil {
			panic(err)
		}
		write := newSubscriptionWrite(c)
		batch[i] = &groupWrite{sub: write, done: make(chan error, 1), fn: func(ctx context.Context, tx *Tx) (err error) {
			if write.inserted != nil {
				subs[i], created[i] = write.inserted, true
				return nil
			}
			subs[i], created[i], err = createSubscription(ctx, tx, c)
			return err
		}}
	}
	db.group.commit(batch)
	for i, w := range batch {
		errs[i] = <-w.done
	}
	return subs, created, errs
}

// RecordReceiptsInOneBatch runs the receipts' writes as one group-commit
// batch, followed by a write that fails with failure (none when nil), and
// returns each one's outcome, the failing write's error last.
func RecordReceiptsInOneBatch(db *DB, receipts []*stockbell.WebhookReceipt, failure error) ([]bool, []error) {
	created := make([]bool, len(receipts))
	var batch []*groupWrite
	for i, r := range receipts {
		r.Domain = normalizeDomain(r.Domain)
		write := &receiptWrite{receipt: r}
		batch = append(batch, &groupWrite{receipt: write, done: make(chan error, 1), fn: func(ctx context.Context, tx *Tx) (err error) {
			if write.inserted {
				created[i] = true
				return nil
			}
			created[i], err = recordReceipt(ctx, tx, r)
			return err
		}})
	}
	if failure != nil {
		batch = append(batch, &groupWrite{done: make(chan error, 1), fn: func(context.Context, *Tx) error { return failure }})
	}
	db.group.commit(batch)
	errs := make([]error, len(batch))
	for i, w := range batch {
		errs[i] = <-w.done
	}
	return created, errs
}

// WriteInOneBatch runs the receipts' and the creates' writes as one
// group-commit batch, receipts first, and returns each one's outcome in
// that order; plain is how many of the writes commitPlain takes to store
// without a transaction.
func WriteInOneBatch(db *DB, receipts []*stockbell.WebhookReceipt, creates []stockbell.SubscriptionCreate) (
	received []bool, subs []*stockbell.Subscription, created []bool, errs []error, plain int) {
	received, subs, created = make([]bool, len(receipts)), make([]*stockbell.Subscription, len(creates)), make([]bool, len(creates))
	var batch []*groupWrite
	for i, r := range receipts {
		r.Domain = normalizeDomain(r.Domain)
		write := &receiptWrite{receipt: r}
		batch = append(batch, &groupWrite{receipt: write, done: make(chan error, 1), fn: func(ctx context.Context, tx *Tx) (err error) {
			if write.inserted {
				received[i] = true
				return nil
			}
			received[i], err = recordReceipt(ctx, tx, r)
			return err
		}})
	}
	for i, c := range creates {
		if err := validateSubscriptionCreate(&c); err != nil {
			panic(err)
		}
		write := newSubscriptionWrite(c)
		batch = append(batch, &groupWrite{sub: write, done: make(chan error, 1), fn: func(ctx context.Context, tx *Tx) (err error) {
			if write.inserted != nil {
				subs[i], created[i] = write.inserted, true
				return nil
			}
			subs[i], created[i], err = createSubscription(ctx, tx, c)
			return err
		}})
	}
	plainReceipts, plainSubs := plainWrites(db, batch)
	plain = len(plainReceipts) + len(plainSubs)
	db.group.commit(batch)
	for _, w := range batch {
		errs = append(errs, <-w.done)
	}
	return received, subs, created, errs, plain
}
