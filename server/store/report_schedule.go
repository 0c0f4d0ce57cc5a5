package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

var _ stockbell.ReportScheduleService = (*DB)(nil)

const reportSubscriptionColumns = `r.id, r.shop_id, r.email, r.report, r.frequency, r.created_by, r.created_at`

// CreateReportSubscription adds a scheduled report, or returns the same one
// already there.
func (db *DB) CreateReportSubscription(ctx context.Context, c stockbell.ReportSubscriptionCreate) (*stockbell.ReportSubscription, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	email, err := contact.NormalizeEmail(c.Email)
	if err != nil {
		return nil, err
	}
	var sub stockbell.ReportSubscription
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := holdShop(ctx, tx, c.ShopID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO report_subscriptions (shop_id, email, report, frequency, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), c.ShopID, email, c.Report, c.Frequency, c.CreatedBy, tx.db.now())
		if err != nil {
			return err
		}
		return tx.GetContext(ctx, &sub, tx.Rebind(`SELECT `+reportSubscriptionColumns+`, '' AS time_zone FROM report_subscriptions r
			WHERE r.shop_id = ? AND r.email = ? AND r.report = ? AND r.frequency = ?`), c.ShopID, email, c.Report, c.Frequency)
	})
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// FindReportSubscriptions lists the shop's scheduled reports, oldest first.
func (db *DB) FindReportSubscriptions(ctx context.Context, shopID int64) ([]*stockbell.ReportSubscription, error) {
	out := []*stockbell.ReportSubscription{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &out, tx.Rebind(`SELECT `+reportSubscriptionColumns+`, '' AS time_zone
			FROM report_subscriptions r WHERE r.shop_id = ? ORDER BY r.id`), shopID)
	})
	return out, err
}

// DeleteReportSubscription removes one of the shop's scheduled reports.
func (db *DB) DeleteReportSubscription(ctx context.Context, shopID, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM report_subscriptions WHERE id = ? AND shop_id = ?`), id, shopID)
		return mustAffect(res, err, "scheduled report %d", id)
	})
}

// ChangeReportFrequency changes how often one of the shop's scheduled
// reports is sent, in place; when its address already receives the report
// at that frequency, it is removed and that one returned.
func (db *DB) ChangeReportFrequency(ctx context.Context, shopID, id int64, freq stockbell.ReportFrequency) (*stockbell.ReportSubscription, error) {
	if err := freq.Validate(); err != nil {
		return nil, err
	}
	var sub stockbell.ReportSubscription
	err := db.inTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &sub, tx.Rebind(`SELECT `+reportSubscriptionColumns+`, '' AS time_zone FROM report_subscriptions r
			WHERE r.id = ? AND r.shop_id = ?`), id, shopID)
		if err != nil {
			return notFound(err, "scheduled report %d", id)
		}
		var same stockbell.ReportSubscription
		err = tx.GetContext(ctx, &same, tx.Rebind(`SELECT `+reportSubscriptionColumns+`, '' AS time_zone FROM report_subscriptions r
			WHERE r.shop_id = ? AND r.email = ? AND r.report = ? AND r.frequency = ?`), shopID, sub.Email, sub.Report, freq)
		switch {
		case isNoRows(err):
			sub.Frequency = freq
			_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE report_subscriptions SET frequency = ? WHERE id = ?`), freq, id)
			return err
		case err != nil || same.ID == id:
			return err
		}
		sub = same // the address already receives the report so: one subscription
		_, err = tx.ExecContext(ctx, tx.Rebind(`DELETE FROM report_subscriptions WHERE id = ?`), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// EachReportSubscription streams the scheduled reports of installed shops
// with each shop's time zone.
func (db *DB) EachReportSubscription(ctx context.Context, fn func(*stockbell.ReportSubscription) error) error {
	var subs []*stockbell.ReportSubscription
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &subs, tx.Rebind(`SELECT `+reportSubscriptionColumns+`, COALESCE(rs.time_zone, 'UTC') AS time_zone
			FROM report_subscriptions r JOIN shops s ON s.id = r.shop_id LEFT JOIN restock_settings rs ON rs.shop_id = r.shop_id
			WHERE s.status = ? ORDER BY r.id`), stockbell.ShopInstalled)
	})
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if err := fn(sub); err != nil {
			return err
		}
	}
	return nil
}

// ClaimReportPeriod inserts the delivery row of the shop's subscription
// and its job in one transaction; a period claimed before inserts nothing.
// Returns ENOTFOUND unless the subscription is the shop's, also when the
// subscription goes meanwhile (removed, or erased with its shop).
//
// The subscription's row is read with the key-share lock its delivery's
// foreign key takes (on PostgreSQL): a removal or a shop's erase that
// deleted it meanwhile is waited for and the subscription found gone,
// where a plain read found it and the insert's key then failed the claim
// as a violation once the delete committed (the periodic job's error,
// retried). One begun after the claim waits for its commit and deletes
// its delivery too. Holding it, the claim waits for no other row.
func (db *DB) ClaimReportPeriod(ctx context.Context, shopID, subscriptionID int64, periodStart, periodEnd string) (bool, error) {
	claimed := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var found int
		err := tx.GetContext(ctx, &found, tx.Rebind(`SELECT 1 FROM report_subscriptions WHERE id = ? AND shop_id = ?`+
			tx.forKeyShareOf("report_subscriptions")), subscriptionID, shopID)
		if err != nil {
			return notFound(err, "scheduled report %d not found", subscriptionID)
		}
		id, err := tx.insertID(ctx, `INSERT INTO report_deliveries (subscription_id, period_start, period_end, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, subscriptionID, periodStart, periodEnd, tx.db.now())
		if isNoRows(err) {
			return nil // claimed before
		} else if err != nil {
			return err
		}
		claimed = true
		return tx.insertJob(ctx, stockbell.SendReportJob{ShopID: shopID, DeliveryID: id}, nil)
	})
	return claimed, err
}

// reportDeliveryRow is a delivery joined with its subscription.
type reportDeliveryRow struct {
	stockbell.ReportSubscription
	DeliveryID  int64    `db:"delivery_id"`
	PeriodStart string   `db:"period_start"`
	PeriodEnd   string   `db:"period_end"`
	ClaimedAt   sqlTime  `db:"claimed_at"`
	SentAt      *sqlTime `db:"sent_at"`
}

// FindReportDelivery returns the shop's claimed delivery with its
// subscription. Returns ENOTFOUND (also for another shop's).
func (db *DB) FindReportDelivery(ctx context.Context, shopID, id int64) (*stockbell.ReportDelivery, error) {
	var row reportDeliveryRow
	err := db.inReadTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &row, tx.Rebind(`SELECT `+reportSubscriptionColumns+`, COALESCE(rs.time_zone, 'UTC') AS time_zone,
				d.id AS delivery_id, d.period_start, d.period_end, d.created_at AS claimed_at, d.sent_at
			FROM report_deliveries d JOIN report_subscriptions r ON r.id = d.subscription_id
			LEFT JOIN restock_settings rs ON rs.shop_id = r.shop_id WHERE d.id = ? AND r.shop_id = ?`), id, shopID)
		return notFound(err, "scheduled report delivery %d", id)
	})
	if err != nil {
		return nil, err
	}
	d := &stockbell.ReportDelivery{ID: row.DeliveryID, Subscription: row.ReportSubscription, PeriodStart: row.PeriodStart,
		PeriodEnd: row.PeriodEnd, CreatedAt: row.ClaimedAt.Time.UTC()}
	if row.SentAt != nil {
		t := row.SentAt.Time.UTC()
		d.SentAt = &t
	}
	return d, nil
}

// MarkReportSent records when the shop's delivery was sent. Returns
// ENOTFOUND (also for another shop's).
func (db *DB) MarkReportSent(ctx context.Context, shopID, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE report_deliveries SET sent_at = ? WHERE id = ?
			AND subscription_id IN (SELECT id FROM report_subscriptions WHERE shop_id = ?)`), tx.db.now(), id, shopID)
		return mustAffect(res, err, "scheduled report delivery %d", id)
	})
}
