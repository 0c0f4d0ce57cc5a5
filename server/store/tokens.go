package store

import (
	"context"

	stockbell "github.com/stockbell/stockbell"
)

// TokenReseal is what ResealTokens did.
type TokenReseal struct {
	// Resealed counts tokens stored again, sealed with the current key for
	// their shop.
	Resealed int
	// Unreadable lists the shops whose token no configured key opens.
	Unreadable []int64
}

// ResealTokens passes every shop's sealed token to reseal and stores the
// tokens it changed, in one transaction. It runs at start-up, after a key
// rotation (STOCKBELL_SECRET_KEY_PREVIOUS) or an upgrade of the sealed
// format; reseal answers EUNAUTHORIZED for a token no key opens, which is
// left as it is and reported.
func (db *DB) ResealTokens(ctx context.Context, reseal func(shopID int64, sealed []byte) ([]byte, bool, error)) (*TokenReseal, error) {
	out := &TokenReseal{}
	err := db.inTx(ctx, func(tx *Tx) error {
		var rows []struct {
			ID     int64  `db:"id"`
			Sealed []byte `db:"sealed_token"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT id, sealed_token FROM shops WHERE sealed_token IS NOT NULL ORDER BY id`); err != nil {
			return err
		}
		for _, row := range rows {
			sealed, changed, err := reseal(row.ID, row.Sealed)
			if stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED {
				out.Unreadable = append(out.Unreadable, row.ID)
				continue
			} else if err != nil {
				return err
			}
			if !changed {
				continue
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE shops SET sealed_token = ? WHERE id = ?`), sealed, row.ID); err != nil {
				return err
			}
			out.Resealed++
		}
		return nil
	})
	return out, err
}
