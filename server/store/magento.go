package store

import (
	"context"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// RecordMagentoActivation records that the consumer key whose SHA-256 is
// keyHash activated the shop now; a key activated again moves to the shop.
// Returns EINVALID for a malformed hash, ENOTFOUND for an unknown shop.
func (db *DB) RecordMagentoActivation(ctx context.Context, shopID int64, keyHash string) error {
	keyHash = strings.ToLower(keyHash)
	if len(keyHash) != 64 || strings.Trim(keyHash, "0123456789abcdef") != "" {
		return stockbell.FieldErrorf("consumer_key", "a consumer key is recorded by its hex SHA-256")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := shopExists(ctx, tx, shopID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO magento_activations (consumer_key_hash, shop_id, activated_at)
			VALUES (?, ?, ?) ON CONFLICT (consumer_key_hash) DO UPDATE SET shop_id = excluded.shop_id, activated_at = excluded.activated_at`),
			keyHash, shopID, tx.db.now())
		return err
	})
}

// FindMagentoActivation returns the activation of the consumer key whose
// SHA-256 is keyHash. Returns ENOTFOUND.
func (db *DB) FindMagentoActivation(ctx context.Context, keyHash string) (*stockbell.MagentoActivation, error) {
	var a stockbell.MagentoActivation
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &a, tx.Rebind(`SELECT consumer_key_hash, shop_id, activated_at FROM magento_activations
			WHERE consumer_key_hash = ?`), strings.ToLower(keyHash))
	})
	if err != nil {
		return nil, notFound(err, "no Magento activation with that consumer key")
	}
	return &a, nil
}
