package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.SettingsService = (*DB)(nil)

// FindSettings returns the shop's stored settings, or the defaults when it
// never changed them. Returns ENOTFOUND for an unknown shop.
func (db *DB) FindSettings(ctx context.Context, shopID int64) (*stockbell.RestockSettings, error) {
	var settings *stockbell.RestockSettings
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		settings, err = findSettings(ctx, tx, shopID)
		return err
	})
	return settings, err
}

func findSettings(ctx context.Context, tx *Tx, shopID int64) (*stockbell.RestockSettings, error) {
	return readSettings(ctx, tx, shopID, "")
}

// readSettings is findSettings with the stored row locked by lock.
func readSettings(ctx context.Context, tx *Tx, shopID int64, lock string) (*stockbell.RestockSettings, error) {
	var s stockbell.RestockSettings
	err := tx.GetContext(ctx, &s, tx.Rebind(`SELECT shop_id, min_inventory, per_unit, wait, attribution_window,
		time_zone, email_double_opt_in, quiet_hours, quiet_hours_start, quiet_hours_end, updated_at FROM restock_settings WHERE shop_id = ?`+lock), shopID)
	if !isNoRows(err) {
		return &s, err
	}
	if err := shopExists(ctx, tx, shopID); err != nil {
		return nil, err
	}
	s = stockbell.DefaultRestockSettings(shopID)
	return &s, nil
}

// UpdateSettings merges the update into the current settings, validates
// the result and stores it with an EventSettingsChanged event; an update
// that changes nothing stores and records nothing. The settings answered
// carry the change time stored (changeTime), the one FindSettings reads
// next. Returns EINVALID naming the field (and stores nothing), or
// ENOTFOUND.
func (db *DB) UpdateSettings(ctx context.Context, shopID int64, update stockbell.SettingsUpdate) (*stockbell.RestockSettings, error) {
	return db.updateSettings(ctx, shopID, update, nil, nil)
}

// UpdateSettingsIfUnchanged merges and stores the update as UpdateSettings
// does, only if the stored settings are those last changed at seen (zero:
// never stored). Returns ECONFLICT, storing nothing, when they were
// changed since, whatever the update.
func (db *DB) UpdateSettingsIfUnchanged(ctx context.Context, shopID int64, update stockbell.SettingsUpdate, seen time.Time) (*stockbell.RestockSettings, error) {
	return db.updateSettings(ctx, shopID, update, &seen, nil)
}

// updateSettings runs the update in a transaction; beforeCommit, when
// set, runs in it once the settings are stored (tests make a restock and
// a decision happen there). An update that lowered the minimum inventory
// then wakes the engine for the restocks its transaction missed; should
// that fail, its error is returned though the settings are stored.
func (db *DB) updateSettings(ctx context.Context, shopID int64, update stockbell.SettingsUpdate, seen *time.Time,
	beforeCommit func()) (*stockbell.RestockSettings, error) {
	var settings *stockbell.RestockSettings
	var lowered *minimumLowered
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		settings, lowered, err = updateSettings(ctx, tx, shopID, update, seen)
		if err == nil && beforeCommit != nil {
			beforeCommit()
		}
		return err
	})
	if err == nil && lowered != nil {
		err = db.wakeForRestocksDuringUpdate(ctx, lowered)
	}
	return settings, err
}

// minimumLowered is an update's lowering of the shop's minimum inventory
// from previous, with the variants its transaction woke the engine for.
type minimumLowered struct {
	shopID            int64
	minimum, previous int
	woken             []int64
}

// updateSettings merges the update into the stored settings, if seen is
// nil or their change time, and reports a lowered minimum inventory. The
// shop's row is held first (holdShop): a first update inserts the
// settings row, and an erase of the shop that deleted the shop's row
// meanwhile is waited for and leaves the shop not found, rather than
// failing that insert's foreign key.
func updateSettings(ctx context.Context, tx *Tx, shopID int64, update stockbell.SettingsUpdate, seen *time.Time) (
	*stockbell.RestockSettings, *minimumLowered, error) {
	if err := holdShop(ctx, tx, shopID); err != nil {
		return nil, nil, err
	}
	for range 2 { // the second time, the row another update stored is read
		// Locked (on PostgreSQL), so that of two updates at once the second
		// merges into the first's result and records what it changed from it.
		s, err := readSettings(ctx, tx, shopID, tx.forUpdate())
		if err != nil {
			return nil, nil, err
		}
		if seen != nil && !s.UpdatedAt.Equal(*seen) {
			return nil, nil, stockbell.Errorf(stockbell.ECONFLICT, "The settings were changed at %s, after the version this change was made from.",
				s.UpdatedAt.UTC().Format(time.RFC3339))
		}
		before := *s
		if err := applySettings(s, update); err != nil {
			return nil, nil, err
		}
		diff := settingsDiff(before, *s)
		if len(diff) == 0 {
			return s, nil, nil // nothing changed: nothing to store or record
		}
		s.UpdatedAt = changeTime(tx.db.now(), before.UpdatedAt)
		stored, err := storeSettings(ctx, tx, s, before.UpdatedAt.IsZero())
		if err != nil {
			return nil, nil, err
		}
		if !stored {
			continue // first stored meanwhile by another update: merge into it
		}
		var lowered *minimumLowered
		if s.MinInventory < before.MinInventory {
			lowered = &minimumLowered{shopID: shopID, minimum: s.MinInventory, previous: before.MinInventory}
			if lowered.woken, err = recheckNowAboveMinimum(ctx, tx, lowered); err != nil {
				return nil, nil, err
			}
		}
		return s, lowered, tx.insertEvent(ctx, stockbell.Event{ShopID: shopID, Kind: stockbell.EventSettingsChanged}, diff)
	}
	return nil, nil, fmt.Errorf("settings of shop %d: stored by another update, yet not read", shopID)
}

// applySettings sets the update's fields on s and validates the result.
func applySettings(s *stockbell.RestockSettings, update stockbell.SettingsUpdate) error {
	if update.MinInventory != nil {
		s.MinInventory = *update.MinInventory
	}
	if update.PerUnit != nil {
		s.PerUnit = *update.PerUnit
	}
	if update.Wait != nil {
		s.Wait = *update.Wait
	}
	if update.AttributionWindow != nil {
		s.AttributionWindow = *update.AttributionWindow
	}
	if update.TimeZone != nil {
		s.TimeZone = *update.TimeZone
	}
	if update.EmailDoubleOptIn != nil {
		s.EmailDoubleOptIn = *update.EmailDoubleOptIn
	}
	applyQuietHours(s, update)
	return s.Validate()
}

// storeSettings writes the shop's settings row. A first one (first: no
// row was read, so none is locked) is inserted only if no other update
// stored one meanwhile: on PostgreSQL that insert waits for the other
// update's commit, then stores nothing and reports false, and the update
// is merged again into what the other stored.
func storeSettings(ctx context.Context, tx *Tx, s *stockbell.RestockSettings, first bool) (bool, error) {
	onConflict := `UPDATE SET min_inventory = excluded.min_inventory, per_unit = excluded.per_unit,
		wait = excluded.wait, attribution_window = excluded.attribution_window, time_zone = excluded.time_zone,
		email_double_opt_in = excluded.email_double_opt_in, quiet_hours = excluded.quiet_hours,
		quiet_hours_start = excluded.quiet_hours_start, quiet_hours_end = excluded.quiet_hours_end, updated_at = excluded.updated_at`
	if first {
		onConflict = `NOTHING`
	}
	// Durations are stored in nanoseconds and scan straight back.
	res, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO restock_settings (shop_id, min_inventory, per_unit, wait,
		attribution_window, time_zone, email_double_opt_in, quiet_hours, quiet_hours_start, quiet_hours_end, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id) DO `+onConflict),
		s.ShopID, s.MinInventory, s.PerUnit, int64(s.Wait), int64(s.AttributionWindow), s.TimeZone, s.EmailDoubleOptIn,
		s.QuietHours, s.QuietHoursStart, s.QuietHoursEnd, s.UpdatedAt)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// recheckNowAboveMinimum asks the restock engine to decide again for the
// shop's variants that someone is queued for whose stock reached the
// lowered minimum inventory but not the one before: their last decision
// held their subscribers back as below the minimum, and they would
// otherwise wait for their next stock change. It returns those variants.
func recheckNowAboveMinimum(ctx context.Context, tx *Tx, lowered *minimumLowered) ([]int64, error) {
	ids, err := variantsNowAboveMinimum(ctx, tx, lowered)
	if err != nil {
		return nil, err
	}
	return ids, insertStockJobs(ctx, tx, lowered.shopID, ids)
}

// wakeForRestocksDuringUpdate asks the engine, once an update lowering
// the minimum has committed, to decide again for the variants now above
// it that the update's transaction did not wake. On PostgreSQL a restock
// that commits after that transaction read the stock, and before it
// commits, is missed by the read, and the restock's own decision may read
// the settings before the update commits: it holds the shoppers back on
// the old minimum, and nothing would decide again before the variant's
// next stock change. A restock committed after this read is decided on
// with the new minimum. SQLite writes one transaction at a time: the read
// in the update saw every restock committed before it.
func (db *DB) wakeForRestocksDuringUpdate(ctx context.Context, lowered *minimumLowered) error {
	var ids []int64
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		ids, err = variantsNowAboveMinimum(ctx, tx, lowered)
		return err
	})
	if err != nil {
		return err
	}
	missed := slices.DeleteFunc(ids, func(id int64) bool {
		_, woken := slices.BinarySearch(lowered.woken, id)
		return woken
	})
	if len(missed) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error { return insertStockJobs(ctx, tx, lowered.shopID, missed) })
}

// variantsNowAboveMinimum returns, in id order, the shop's variants that
// someone is queued for whose stock reached the lowered minimum but not
// the one before. Variants whose stock does not limit sales never
// depended on the minimum.
func variantsNowAboveMinimum(ctx context.Context, tx *Tx, lowered *minimumLowered) ([]int64, error) {
	var ids []int64
	err := tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT v.id FROM variants v WHERE v.shop_id = ? AND v.tracked
		AND v.inventory_policy <> ? AND v.stock >= ? AND v.stock < ?
		AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.variant_id = v.id AND s.status = 'queued') ORDER BY v.id`),
		lowered.shopID, stockbell.InventoryContinue, lowered.minimum, lowered.previous)
	return ids, err
}

// settingsDiff describes what an update changed, as "field": [old, new].
func settingsDiff(before, after stockbell.RestockSettings) EventDetail {
	detail := EventDetail{}
	if before.MinInventory != after.MinInventory {
		detail["min_inventory"] = []int{before.MinInventory, after.MinInventory}
	}
	if before.PerUnit != after.PerUnit {
		detail["per_unit"] = []int{before.PerUnit, after.PerUnit}
	}
	if before.Wait != after.Wait {
		detail["wait"] = []string{before.Wait.String(), after.Wait.String()}
	}
	if before.AttributionWindow != after.AttributionWindow {
		detail["attribution_window"] = []string{before.AttributionWindow.String(), after.AttributionWindow.String()}
	}
	if before.TimeZone != after.TimeZone {
		detail["time_zone"] = []string{before.TimeZone, after.TimeZone}
	}
	if before.EmailDoubleOptIn != after.EmailDoubleOptIn {
		detail["email_double_opt_in"] = []bool{before.EmailDoubleOptIn, after.EmailDoubleOptIn}
	}
	quietHoursDiff(detail, before, after)
	return detail
}

// applyQuietHours sets the update's quiet hours fields on s.
func applyQuietHours(s *stockbell.RestockSettings, update stockbell.SettingsUpdate) {
	if update.QuietHours != nil {
		s.QuietHours = *update.QuietHours
	}
	if update.QuietHoursStart != nil {
		s.QuietHoursStart = *update.QuietHoursStart
	}
	if update.QuietHoursEnd != nil {
		s.QuietHoursEnd = *update.QuietHoursEnd
	}
}

// quietHoursDiff adds to detail the quiet hours fields an update changed.
func quietHoursDiff(detail EventDetail, before, after stockbell.RestockSettings) {
	if before.QuietHours != after.QuietHours {
		detail["quiet_hours"] = []bool{before.QuietHours, after.QuietHours}
	}
	if before.QuietHoursStart != after.QuietHoursStart {
		detail["quiet_hours_start"] = []string{before.QuietHoursStart, after.QuietHoursStart}
	}
	if before.QuietHoursEnd != after.QuietHoursEnd {
		detail["quiet_hours_end"] = []string{before.QuietHoursEnd, after.QuietHoursEnd}
	}
}
