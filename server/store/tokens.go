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

// sealedColumns are the columns holding values sealed for their shop with
// the token sealer: access tokens, webhook secrets, feed credentials.
// key names a row, shop the shop it was sealed for.
var sealedColumns = []struct{ table, key, shop, column string }{
	{"shops", "id", "id", "sealed_token"},
	{"shops", "id", "id", "sealed_refresh_token"},
	{"webhook_secrets", "shop_id", "shop_id", "sealed_secret"},
	{"feeds", "shop_id", "shop_id", "sealed_credentials"},
	{"webhook_endpoints", "id", "shop_id", "sealed_secret"},
}

// ResealTokens passes every value sealed for a shop (its access token, its
// webhook secret, its feed's credentials, its outbound webhook endpoints'
// signing secrets) to reseal and stores the values
// it changed, in one transaction. It runs at start-up, after a key
// rotation (STOCKBELL_SECRET_KEY_PREVIOUS) or an upgrade of the sealed
// format; reseal answers EUNAUTHORIZED for a value no key opens, which is
// left as it is and its shop reported.
func (db *DB) ResealTokens(ctx context.Context, reseal func(shopID int64, sealed []byte) ([]byte, bool, error)) (*TokenReseal, error) {
	out := &TokenReseal{}
	err := db.inTx(ctx, func(tx *Tx) error {
		tx.shopsChanged = true // the shops' tokens
		for _, c := range sealedColumns {
			if err := resealColumn(ctx, tx, c.table, c.key, c.shop, c.column, reseal, out); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func resealColumn(ctx context.Context, tx *Tx, table, key, shop, column string, reseal func(int64, []byte) ([]byte, bool, error), out *TokenReseal) error {
	var rows []struct {
		ID     int64  `db:"id"`
		ShopID int64  `db:"shop_id"`
		Sealed []byte `db:"sealed"`
	}
	query := `SELECT ` + key + ` AS id, ` + shop + ` AS shop_id, ` + column + ` AS sealed FROM ` + table + ` WHERE ` + column + ` IS NOT NULL ORDER BY ` + key
	if err := tx.SelectContext(ctx, &rows, query); err != nil {
		return err
	}
	for _, row := range rows {
		sealed, changed, err := reseal(row.ShopID, row.Sealed)
		if stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED {
			out.Unreadable = append(out.Unreadable, row.ShopID)
			continue
		} else if err != nil {
			return err
		}
		if !changed {
			continue
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE `+table+` SET `+column+` = ? WHERE `+key+` = ?`), sealed, row.ID); err != nil {
			return err
		}
		out.Resealed++
	}
	return nil
}
