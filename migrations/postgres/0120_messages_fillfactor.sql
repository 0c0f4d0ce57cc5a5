-- +goose Up
-- Room on each page of messages for a message's lease to be a heap-only
-- update: a send step leases the next message (attempts, lease_until; no
-- indexed column), which with full pages was written as a new row version
-- elsewhere with a new entry in each of the table's five indexes. Applies
-- to pages written from now on.
ALTER TABLE messages SET (fillfactor = 80);

-- +goose Down
ALTER TABLE messages RESET (fillfactor);
