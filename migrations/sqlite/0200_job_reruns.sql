-- +goose Up
-- A catalog sync asked for while the same sync (same kind and arguments)
-- runs: the queue takes the request for the running job (it is unique by
-- its arguments), so the running job runs once more when it ends instead
-- of completing. A row names the running job (River's river_job id); it
-- is removed when that job starts again or completes.
CREATE TABLE job_reruns (
    job_id BIGINT PRIMARY KEY
);

-- +goose Down
DROP TABLE job_reruns;
