-- +goose Up
-- Admin sessions ended by signing out, until they would have expired, so
-- that a copy of the session's cookie is refused too. A session is named
-- by the SHA-256 of its CSRF token, never by the token.
CREATE TABLE admin_sessions_ended (
    session_hash TEXT PRIMARY KEY,
    expires_at   DATETIME NOT NULL
);
CREATE INDEX admin_sessions_ended_expires ON admin_sessions_ended (expires_at);

-- +goose Down
DROP TABLE admin_sessions_ended;
