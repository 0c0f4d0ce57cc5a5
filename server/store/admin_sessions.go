package store

import (
	"context"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.AdminSessionService = (*DB)(nil)

// EndAdminSession records the session as ended until it expires, and
// forgets those past their expiry, which their cookies no longer open.
func (db *DB) EndAdminSession(ctx context.Context, sessionHash string, expires time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM admin_sessions_ended WHERE expires_at <= ?`), db.now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO admin_sessions_ended (session_hash, expires_at) VALUES (?, ?)
			ON CONFLICT (session_hash) DO NOTHING`), sessionHash, expires.UTC())
		return err
	})
}

// AdminSessionEnded reports whether the session was ended: one read by
// the primary key, made for every admin request of a cookie session.
func (db *DB) AdminSessionEnded(ctx context.Context, sessionHash string) (bool, error) {
	var ended bool
	err := db.inRead(func(tx *Tx) error {
		return tx.GetContext(ctx, &ended, tx.Rebind(`SELECT EXISTS (SELECT 1 FROM admin_sessions_ended WHERE session_hash = ?)`), sessionHash)
	})
	return ended, err
}
