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

// StorefrontOriginQuery is the statement IsStorefrontOrigin runs, for a
// test that reads its plan.
const StorefrontOriginQuery = storefrontOriginQuery

// HeldBatchDecisionQuery is the statement FindHeldBatchDecision runs on
// db's database, for a test that reads its plan.
func HeldBatchDecisionQuery(db *DB) string { return heldBatchDecisionQuery(db.Dialect) }

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
	_, subs, created, errs, _ := WriteInOneBatch(db, nil, creates)
	return subs, created, errs
}

// ChangeStockThenSubscribeInOneBatch runs a stock change and then a
// sign-up as one group-commit batch, as the writer runs a change and a
// shopper's post it gathered together, and returns the change's result,
// the subscription and each one's error, the change's first.
func ChangeStockThenSubscribeInOneBatch(db *DB, change stockbell.StockChange, create stockbell.SubscriptionCreate) (
	*stockbell.StockResult, *stockbell.Subscription, []error) {
	if err := validateStockChange(&change); err != nil {
		panic(err)
	}
	if err := validateSubscriptionCreate(&create); err != nil {
		panic(err)
	}
	var result *stockbell.StockResult
	var sub *stockbell.Subscription
	var created bool
	changeStock := &groupWrite{fn: func(ctx context.Context, tx *Tx) (err error) {
		result, err = applyStockChange(ctx, tx, change)
		return err
	}}
	errs := commitInOneBatch(db, []*groupWrite{changeStock, subscriptionGroupWrite(create, &sub, &created)})
	return result, sub, errs
}

// RecordReceiptsInOneBatch runs the receipts' writes as one group-commit
// batch, followed by a write that fails with failure (none when nil), and
// returns each one's outcome, the failing write's error last.
func RecordReceiptsInOneBatch(db *DB, receipts []*stockbell.WebhookReceipt, failure error) ([]bool, []error) {
	created := make([]bool, len(receipts))
	batch := receiptGroupWrites(receipts, created)
	if failure != nil {
		batch = append(batch, &groupWrite{fn: func(context.Context, *Tx) error { return failure }})
	}
	return created, commitInOneBatch(db, batch)
}

// WriteInOneBatch runs the receipts' and the creates' writes as one
// group-commit batch, receipts first, and returns each one's outcome in
// that order; plain is how many of the writes commitPlain takes to store
// without a transaction.
func WriteInOneBatch(db *DB, receipts []*stockbell.WebhookReceipt, creates []stockbell.SubscriptionCreate) (
	received []bool, subs []*stockbell.Subscription, created []bool, errs []error, plain int) {
	received, subs, created = make([]bool, len(receipts)), make([]*stockbell.Subscription, len(creates)), make([]bool, len(creates))
	batch := receiptGroupWrites(receipts, received)
	for i, c := range creates {
		if err := validateSubscriptionCreate(&c); err != nil {
			panic(err)
		}
		batch = append(batch, subscriptionGroupWrite(c, &subs[i], &created[i]))
	}
	plainReceipts, plainSubs := plainWrites(db, batch)
	return received, subs, created, commitInOneBatch(db, batch), len(plainReceipts) + len(plainSubs)
}

// receiptGroupWrites are the receipts' writes as RecordReceipt makes them,
// created[i] set by the ith.
func receiptGroupWrites(receipts []*stockbell.WebhookReceipt, created []bool) []*groupWrite {
	var batch []*groupWrite
	for i, r := range receipts {
		r.Domain = normalizeDomain(r.Domain)
		batch = append(batch, receiptGroupWrite(r, &created[i]))
	}
	return batch
}

// commitInOneBatch commits the writes as one batch, as the writer commits
// the concurrent requests it gathered, and returns each one's error.
func commitInOneBatch(db *DB, batch []*groupWrite) []error {
	for _, w := range batch {
		w.done = make(chan error, 1)
	}
	db.group.commit(batch)
	errs := make([]error, len(batch))
	for i, w := range batch {
		errs[i] = <-w.done
	}
	return errs
}

// ShopJobKinds names the job kinds whose jobs erasing a shop erases.
func ShopJobKinds() []string {
	kinds := make([]string, len(shopJobKinds))
	for i, args := range shopJobKinds {
		kinds[i] = args.Kind()
	}
	return kinds
}

// MigrationLockID is the PostgreSQL advisory lock WithMigrationLock takes.
const MigrationLockID = migrationLockID

// AdvanceSendsInOneBatch runs the shop's send steps as one group-commit
// batch on PostgreSQL, as the writer runs the steps of workers sending at
// the same time, in the steps' order, and returns each one's error.
func AdvanceSendsInOneBatch(db *DB, shopID int64, steps []stockbell.SendStep) []error {
	batch := make([]*groupWrite, len(steps))
	for i, step := range steps {
		write := &sendStepWrite{shopID: shopID, step: step}
		batch[i] = &groupWrite{send: write, fn: func(ctx context.Context, tx *Tx) error {
			_, err := write.finish(ctx, tx)
			return err
		}}
	}
	return commitInOneBatch(db, batch)
}

// SmartSendingLockClass is the first key of the recipients' smart-sending locks.
const SmartSendingLockClass = smartSendingLockClass

// UpdateSettingsBeforeCommit is UpdateSettings calling beforeCommit in
// the update's transaction once the settings are stored, before it
// commits.
func UpdateSettingsBeforeCommit(db *DB, shopID int64, update stockbell.SettingsUpdate, beforeCommit func()) (*stockbell.RestockSettings, error) {
	return db.updateSettings(context.Background(), shopID, update, nil, beforeCommit)
}

// UpdateFlowBeforeCommit is UpdateFlow calling beforeCommit in the
// update's transaction once the flow is stored, before it commits.
func UpdateFlowBeforeCommit(db *DB, flow *stockbell.Flow, beforeCommit func()) error {
	return db.updateFlow(context.Background(), flow, nil, beforeCommit)
}
