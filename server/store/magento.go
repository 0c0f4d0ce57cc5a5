package store

import (
	"context"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// InstallMagentoShop installs the shop with its follow-up jobs, stores a
// module secret unless the shop has one, and records the consumer key's
// activation of the shop now (a key activated again moves to the shop),
// all in one transaction. Returns EINVALID for a malformed install or
// hash.
func (db *DB) InstallMagentoShop(ctx context.Context, in stockbell.MagentoInstall) (*stockbell.Shop, error) {
	keyHash := strings.ToLower(in.KeyHash)
	if len(keyHash) != 64 || strings.Trim(keyHash, "0123456789abcdef") != "" {
		return nil, stockbell.FieldErrorf("consumer_key", "a consumer key is recorded by its hex SHA-256")
	}
	install, err := checkInstall(in.ShopInstall)
	if err != nil {
		return nil, err
	}
	var shop *stockbell.Shop
	err = db.inTx(ctx, func(tx *Tx) (err error) {
		if shop, err = installShop(ctx, tx, install); err != nil {
			return err
		}
		if in.ModuleSecret != nil {
			secret, err := in.ModuleSecret(shop.ID)
			if err != nil {
				return err
			}
			if _, err := ensureWebhookSecret(ctx, tx, secret); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO magento_activations (consumer_key_hash, shop_id, activated_at)
			VALUES (?, ?, ?) ON CONFLICT (consumer_key_hash) DO UPDATE SET shop_id = excluded.shop_id, activated_at = excluded.activated_at`),
			keyHash, shop.ID, tx.db.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return shop, nil
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
