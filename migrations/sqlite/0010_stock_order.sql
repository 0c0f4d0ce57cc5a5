-- +goose Up
-- Stock changes of a location are ordered by the platform's own clock, never
-- by Stockbell's. From here on inventory_levels.updated_at is when Stockbell
-- recorded the level (its own clock), and:
--   platform_updated_at  the platform's own time of the level, as the read or
--                        the pushed change carried it (NULL: it carried none);
--   origin               'read' (a snapshot read from the platform's API) or
--                        'change' (a change the platform pushed);
--   seq                  the stock sequence number taken when the level was
--                        written, to tell which levels were recorded while a
--                        read of the platform was in flight.
-- Levels stored before this migration were stamped partly with Stockbell's
-- clock, so none keeps a platform time: they count as reads without one.
ALTER TABLE inventory_levels ADD COLUMN platform_updated_at DATETIME;
ALTER TABLE inventory_levels ADD COLUMN origin TEXT NOT NULL DEFAULT 'read';
ALTER TABLE inventory_levels ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;

-- The stock sequence: one row, incremented by every level write and by every
-- read of a platform's stock before it is sent.
CREATE TABLE stock_seq (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO stock_seq (id, value) VALUES (1, 0);

-- +goose Down
DROP TABLE stock_seq;
ALTER TABLE inventory_levels DROP COLUMN seq;
ALTER TABLE inventory_levels DROP COLUMN origin;
ALTER TABLE inventory_levels DROP COLUMN platform_updated_at;
