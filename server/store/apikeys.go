package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.APIKeyService = (*DB)(nil)

const apiKeyColumns = `id, shop_id, name, prefix, created_at, last_used_at, revoked_at`

// apiKeyShownPrefix is how many characters of a key are kept to tell keys
// apart: "sbk_" and 6 of its 43 random ones.
const apiKeyShownPrefix = len(stockbell.APIKeyPrefix) + 6

// newAPIKey returns "sbk_" and 256 random bits in unpadded base64url.
func newAPIKey() string {
	raw := make([]byte, 32)
	rand.Read(raw)
	return stockbell.APIKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
}

// hashAPIKey is what is stored of a key: its SHA-256, in hex. A key has
// 256 random bits, so a fast hash is enough; the lookup is by the hash,
// so no comparison of secrets depends on how much of a guess was right.
func hashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey makes a key for the shop. Returns EINVALID naming "name",
// ENOTFOUND for an unknown shop.
func (db *DB) CreateAPIKey(ctx context.Context, shopID int64, name string) (string, *stockbell.APIKey, error) {
	name, err := stockbell.ValidateAPIKeyName(name)
	if err != nil {
		return "", nil, err
	}
	key := newAPIKey()
	var record stockbell.APIKey
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := holdShop(ctx, tx, shopID); err != nil {
			return err
		}
		id, err := tx.insertID(ctx, `INSERT INTO api_keys (shop_id, name, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			shopID, name, key[:apiKeyShownPrefix], hashAPIKey(key), tx.db.now())
		if err != nil {
			return err
		}
		return tx.GetContext(ctx, &record, tx.Rebind(`SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`), id)
	})
	if err != nil {
		return "", nil, err
	}
	return key, &record, nil
}

// FindAPIKeys returns the shop's keys, oldest first.
func (db *DB) FindAPIKeys(ctx context.Context, shopID int64) ([]*stockbell.APIKey, error) {
	keys := []*stockbell.APIKey{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &keys, tx.Rebind(`SELECT `+apiKeyColumns+` FROM api_keys WHERE shop_id = ? ORDER BY id`), shopID)
	})
	return keys, err
}

// RevokeAPIKey revokes the shop's key; a revoked key stays revoked at its
// first revocation's time. Returns ENOTFOUND for another shop's key.
func (db *DB) RevokeAPIKey(ctx context.Context, shopID, id int64) (*stockbell.APIKey, error) {
	var record stockbell.APIKey
	err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND shop_id = ? AND revoked_at IS NULL`),
			tx.db.now(), id, shopID)
		if err != nil {
			return err
		}
		err = tx.GetContext(ctx, &record, tx.Rebind(`SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ? AND shop_id = ?`), id, shopID)
		return notFound(err, "API key %d not found", id)
	})
	if err != nil {
		return nil, err
	}
	return &record, nil
}

// AuthenticateAPIKey finds a valid key by its hash and records its use at
// most once per APIKeyUseInterval. Returns EUNAUTHORIZED for an unknown
// or revoked key.
func (db *DB) AuthenticateAPIKey(ctx context.Context, key string) (*stockbell.APIKey, error) {
	if !strings.HasPrefix(key, stockbell.APIKeyPrefix) {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The API key is not valid: keys begin with %s.", stockbell.APIKeyPrefix)
	}
	var record stockbell.APIKey
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &record, tx.Rebind(`SELECT `+apiKeyColumns+` FROM api_keys WHERE key_hash = ?`), hashAPIKey(key))
	})
	switch {
	case isNoRows(err):
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The API key is not valid: check that it was copied whole.")
	case err != nil:
		return nil, err
	case record.Revoked():
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "The API key was revoked: make a new one in the admin's API keys page.")
	}
	return &record, db.recordAPIKeyUse(ctx, &record)
}

// recordAPIKeyUse writes the key's last use when the one stored is older
// than APIKeyUseInterval, so that busy keys cost one write a minute.
func (db *DB) recordAPIKeyUse(ctx context.Context, record *stockbell.APIKey) error {
	now := db.now()
	if record.LastUsedAt != nil && now.Sub(*record.LastUsedAt) < stockbell.APIKeyUseInterval {
		return nil
	}
	record.LastUsedAt = &now
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`),
			now, record.ID, now.Add(-stockbell.APIKeyUseInterval))
		return err
	})
}
