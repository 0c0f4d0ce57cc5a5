package store

import (
	"context"

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
		time_zone, email_double_opt_in, updated_at FROM restock_settings WHERE shop_id = ?`+lock), shopID)
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
// that changes nothing stores and records nothing. Returns
// EINVALID naming the field (and stores nothing), or ENOTFOUND.
func (db *DB) UpdateSettings(ctx context.Context, shopID int64, update stockbell.SettingsUpdate) (*stockbell.RestockSettings, error) {
	var settings *stockbell.RestockSettings
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		settings, err = updateSettings(ctx, tx, shopID, update)
		return err
	})
	return settings, err
}

func updateSettings(ctx context.Context, tx *Tx, shopID int64, update stockbell.SettingsUpdate) (*stockbell.RestockSettings, error) {
	// Locked (on PostgreSQL), so that of two updates at once the second
	// merges into the first's result and records what it changed from it.
	s, err := readSettings(ctx, tx, shopID, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	before := *s
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
	if err := s.Validate(); err != nil {
		return nil, err
	}
	diff := settingsDiff(before, *s)
	if len(diff) == 0 {
		return s, nil // nothing changed: nothing to store or record
	}
	s.UpdatedAt = tx.db.now()
	// Durations are stored in nanoseconds and scan straight back.
	_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO restock_settings (shop_id, min_inventory, per_unit, wait,
		attribution_window, time_zone, email_double_opt_in, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id) DO UPDATE SET min_inventory = excluded.min_inventory, per_unit = excluded.per_unit,
		wait = excluded.wait, attribution_window = excluded.attribution_window, time_zone = excluded.time_zone,
		email_double_opt_in = excluded.email_double_opt_in, updated_at = excluded.updated_at`),
		shopID, s.MinInventory, s.PerUnit, int64(s.Wait), int64(s.AttributionWindow), s.TimeZone, s.EmailDoubleOptIn, s.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if s.MinInventory < before.MinInventory {
		if err := recheckNowAboveMinimum(ctx, tx, shopID, s.MinInventory, before.MinInventory); err != nil {
			return nil, err
		}
	}
	return s, tx.insertEvent(ctx, stockbell.Event{ShopID: shopID, Kind: stockbell.EventSettingsChanged}, diff)
}

// recheckNowAboveMinimum asks the restock engine to decide again for the
// shop's variants that someone is queued for whose stock reached the
// lowered minimum inventory but not the one before: their last decision
// held their subscribers back as below the minimum, and they would
// otherwise wait for their next stock change. Variants whose stock does
// not limit sales never depended on the minimum.
func recheckNowAboveMinimum(ctx context.Context, tx *Tx, shopID int64, minimum, previous int) error {
	var ids []int64
	err := tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT v.id FROM variants v WHERE v.shop_id = ? AND v.tracked
		AND v.inventory_policy <> ? AND v.stock >= ? AND v.stock < ?
		AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.variant_id = v.id AND s.status = 'queued') ORDER BY v.id`),
		shopID, stockbell.InventoryContinue, minimum, previous)
	if err != nil {
		return err
	}
	return insertStockJobs(ctx, tx, shopID, ids)
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
	return detail
}
