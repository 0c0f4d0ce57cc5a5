-- +goose Up
-- SMS quiet hours: alert and follow-up texts are held from
-- quiet_hours_start until quiet_hours_end (24-hour HH:MM) in the
-- recipient's local time. On for every shop unless it turns them off.
ALTER TABLE restock_settings ADD COLUMN quiet_hours BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE restock_settings ADD COLUMN quiet_hours_start TEXT NOT NULL DEFAULT '21:00';
ALTER TABLE restock_settings ADD COLUMN quiet_hours_end TEXT NOT NULL DEFAULT '09:00';

-- +goose Down
ALTER TABLE restock_settings DROP COLUMN quiet_hours_end;
ALTER TABLE restock_settings DROP COLUMN quiet_hours_start;
ALTER TABLE restock_settings DROP COLUMN quiet_hours;
