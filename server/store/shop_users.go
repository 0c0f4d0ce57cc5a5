package store

import (
	"context"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var (
	_ stockbell.ShopUserService      = (*DB)(nil)
	_ stockbell.WebhookSecretService = (*DB)(nil)
)

const shopUserColumns = `shop_id, user_id, email, owner, created_at, updated_at`

// GrantShopUser adds or updates the user. Returns EINVALID without a user
// id, ENOTFOUND for an unknown shop.
func (db *DB) GrantShopUser(ctx context.Context, u stockbell.ShopUser) error {
	if strings.TrimSpace(u.UserID) == "" {
		return stockbell.FieldErrorf("user_id", "a shop user needs the platform's user id")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := holdShop(ctx, tx, u.ShopID); err != nil {
			return err
		}
		return grantShopUser(ctx, tx, u)
	})
}

func grantShopUser(ctx context.Context, tx *Tx, u stockbell.ShopUser) error {
	now := tx.db.now()
	var removedAt *time.Time
	err := tx.GetContext(ctx, &removedAt, tx.Rebind(`SELECT removed_at FROM shop_users WHERE shop_id = ? AND user_id = ?`+tx.forUpdate()), u.ShopID, u.UserID)
	if err != nil && !isNoRows(err) {
		return err
	}
	if removedAt != nil && !u.GrantedAt.IsZero() && !u.GrantedAt.After(*removedAt) {
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "This user's access to the store was removed.")
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO shop_users (shop_id, user_id, email, owner, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, user_id) DO UPDATE SET
		email = CASE WHEN excluded.email <> '' THEN excluded.email ELSE shop_users.email END,
		owner = excluded.owner OR (shop_users.owner AND shop_users.removed_at IS NULL), removed_at = NULL,
		updated_at = excluded.updated_at`),
		u.ShopID, u.UserID, strings.ToLower(strings.TrimSpace(u.Email)), u.Owner, now, now)
	return err
}

// RevokeShopUser removes the user's access as of removedAt, the
// platform's time of the removal (the store's now when zero), so that a
// grant is ordered against it by the platform's clock alone. The removal
// is recorded even for a user Stockbell never saw, whose load payloads
// signed before it must grant nothing either; an earlier removal than the
// one recorded changes nothing. Returns ENOTFOUND for an unknown shop.
func (db *DB) RevokeShopUser(ctx context.Context, shopID int64, userID string, removedAt time.Time) error {
	if strings.TrimSpace(userID) == "" {
		return stockbell.FieldErrorf("user_id", "a shop user needs the platform's user id")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := holdShop(ctx, tx, shopID); err != nil {
			return err
		}
		now := tx.db.now()
		if removedAt.IsZero() {
			removedAt = now
		}
		var recorded *time.Time
		err := tx.GetContext(ctx, &recorded, tx.Rebind(`SELECT removed_at FROM shop_users WHERE shop_id = ? AND user_id = ?`+tx.forUpdate()), shopID, userID)
		if err != nil && !isNoRows(err) {
			return err
		}
		if recorded != nil && !removedAt.After(*recorded) {
			return nil
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO shop_users (shop_id, user_id, removed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop_id, user_id) DO UPDATE SET
			removed_at = excluded.removed_at, updated_at = excluded.updated_at`), shopID, userID, removedAt.UTC(), now, now)
		return err
	})
}

// FindShopUser returns ENOTFOUND when the user has no access.
func (db *DB) FindShopUser(ctx context.Context, shopID int64, userID string) (*stockbell.ShopUser, error) {
	var u stockbell.ShopUser
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &u, tx.Rebind(`SELECT `+shopUserColumns+` FROM shop_users
			WHERE shop_id = ? AND user_id = ? AND removed_at IS NULL`), shopID, userID)
	})
	if err != nil {
		return nil, notFound(err, "user %q has no access to shop %d", userID, shopID)
	}
	return &u, nil
}

// EnsureWebhookSecret stores the secret unless the shop has one, and
// returns the shop's. Returns ENOTFOUND for an unknown shop.
func (db *DB) EnsureWebhookSecret(ctx context.Context, s stockbell.WebhookSecret) (*stockbell.WebhookSecret, error) {
	var stored *stockbell.WebhookSecret
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		if err := holdShop(ctx, tx, s.ShopID); err != nil {
			return err
		}
		stored, err = ensureWebhookSecret(ctx, tx, s)
		return err
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// ensureWebhookSecret stores s unless its shop has a secret, and returns
// the shop's.
func ensureWebhookSecret(ctx context.Context, tx *Tx, s stockbell.WebhookSecret) (*stockbell.WebhookSecret, error) {
	if len(s.Hash) != 64 || len(s.Sealed) == 0 {
		return nil, stockbell.FieldErrorf("secret", "a webhook secret needs its SHA-256 and its sealed value")
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO webhook_secrets (shop_id, secret_hash, sealed_secret, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (shop_id) DO NOTHING`), s.ShopID, strings.ToLower(s.Hash), s.Sealed, tx.db.now())
	if err != nil {
		return nil, err
	}
	var stored stockbell.WebhookSecret
	err = tx.GetContext(ctx, &stored, tx.Rebind(`SELECT shop_id, secret_hash, sealed_secret FROM webhook_secrets WHERE shop_id = ?`), s.ShopID)
	return &stored, err
}

// FindWebhookSecret returns the secret whose hash is hash. Returns ENOTFOUND.
func (db *DB) FindWebhookSecret(ctx context.Context, hash string) (*stockbell.WebhookSecret, error) {
	var s stockbell.WebhookSecret
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &s, tx.Rebind(`SELECT shop_id, secret_hash, sealed_secret FROM webhook_secrets WHERE secret_hash = ?`),
			strings.ToLower(hash))
	})
	if err != nil {
		return nil, notFound(err, "no webhook secret with that hash")
	}
	return &s, nil
}

// FindShopWebhookSecret returns the shop's secret. Returns ENOTFOUND.
func (db *DB) FindShopWebhookSecret(ctx context.Context, shopID int64) (*stockbell.WebhookSecret, error) {
	var s stockbell.WebhookSecret
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &s, tx.Rebind(`SELECT shop_id, secret_hash, sealed_secret FROM webhook_secrets WHERE shop_id = ?`), shopID)
	})
	if err != nil {
		return nil, notFound(err, "shop %d has no webhook secret", shopID)
	}
	return &s, nil
}

// replaceWebhookSecret stores the secret newSecret returns for the shop in
// place of the one it had (nothing when newSecret is nil).
func replaceWebhookSecret(ctx context.Context, tx *Tx, shopID int64, newSecret func(int64) (stockbell.WebhookSecret, error)) error {
	if newSecret == nil {
		return nil
	}
	s, err := newSecret(shopID)
	if err != nil {
		return err
	}
	if len(s.Hash) != 64 || len(s.Sealed) == 0 {
		return stockbell.FieldErrorf("secret", "a webhook secret needs its SHA-256 and its sealed value")
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO webhook_secrets (shop_id, secret_hash, sealed_secret, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (shop_id) DO UPDATE SET secret_hash = excluded.secret_hash,
		sealed_secret = excluded.sealed_secret, created_at = excluded.created_at`), shopID, strings.ToLower(s.Hash), s.Sealed, tx.db.now())
	return err
}

// dropPlatformAccess removes what the platform granted a shop that is
// uninstalled: its users' access and its webhook secret (so hooks left
// behind are refused). The records of users the platform removed stay,
// without their address: a load payload is valid for 24 hours, and one
// signed before a removal must stay refused after a reinstall.
func dropPlatformAccess(ctx context.Context, tx *Tx, shopID int64) error {
	for _, query := range []string{
		`DELETE FROM shop_users WHERE shop_id = ? AND removed_at IS NULL`,
		`UPDATE shop_users SET email = '', owner = FALSE WHERE shop_id = ?`,
		`DELETE FROM webhook_secrets WHERE shop_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, tx.Rebind(query), shopID); err != nil {
			return err
		}
	}
	return nil
}

// FindAdminEmails returns the addresses of the shop's platform users with
// access and of the invited staff who used their sign-in link, sorted.
func (db *DB) FindAdminEmails(ctx context.Context, shopID int64) ([]string, error) {
	emails := []string{}
	err := db.inReadTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &emails, tx.Rebind(`SELECT email FROM shop_users WHERE shop_id = ? AND removed_at IS NULL AND email <> ''
			UNION SELECT email FROM admin_sign_in_links WHERE shop_id = ? AND used_at IS NOT NULL AND email <> '' ORDER BY email`), shopID, shopID)
	})
	return emails, err
}
