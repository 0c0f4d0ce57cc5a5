package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var _ stockbell.SignInLinkService = (*DB)(nil)

const signInLinkColumns = `id, shop_id, email, expires_at, used_at, created_at`

// maxSignInLinkTTL bounds how long a one-time link may stay valid.
const maxSignInLinkTTL = 24 * time.Hour

// hashSignInToken is what is stored of a token: its SHA-256, in hex.
func hashSignInToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSignInLink stores a link with a fresh 256-bit token and returns the
// token. Returns ENOTFOUND for an unknown shop, EINVALID for a bad TTL.
func (db *DB) CreateSignInLink(ctx context.Context, create stockbell.SignInLinkCreate) (string, *stockbell.SignInLink, error) {
	if create.TTL == 0 {
		create.TTL = stockbell.SignInLinkTTL
	}
	if create.TTL < 0 || create.TTL > maxSignInLinkTTL {
		return "", nil, stockbell.FieldErrorf("ttl", "A sign-in link is valid for up to %s, not %s.", maxSignInLinkTTL, create.TTL)
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	var link stockbell.SignInLink
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := holdShop(ctx, tx, create.ShopID); err != nil {
			return err
		}
		now := tx.db.now()
		id, err := tx.insertID(ctx, `INSERT INTO admin_sign_in_links (shop_id, token_hash, email, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?)`, create.ShopID, hashSignInToken(token), create.Email, now.Add(create.TTL), now)
		if err != nil {
			return err
		}
		return tx.GetContext(ctx, &link, tx.Rebind(`SELECT `+signInLinkColumns+` FROM admin_sign_in_links WHERE id = ?`), id)
	})
	if err != nil {
		return "", nil, err
	}
	return token, &link, nil
}

// UseSignInLink marks the token's link used, once: the conditional UPDATE
// lets exactly one of two concurrent uses (on any replica) through.
// Returns EUNAUTHORIZED for an unknown, used or expired token.
func (db *DB) UseSignInLink(ctx context.Context, token string) (*stockbell.SignInLink, error) {
	hash := hashSignInToken(token)
	var link stockbell.SignInLink
	err := db.inTx(ctx, func(tx *Tx) error {
		now := tx.db.now()
		err := tx.GetContext(ctx, &link, tx.Rebind(`UPDATE admin_sign_in_links SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING `+signInLinkColumns), now, hash, now)
		if !isNoRows(err) {
			return err
		}
		return whyLinkRefused(ctx, tx, hash, now)
	})
	if err != nil {
		return nil, err
	}
	return &link, nil
}

// whyLinkRefused explains why a token's link cannot be used.
func whyLinkRefused(ctx context.Context, tx *Tx, hash string, now time.Time) error {
	var link stockbell.SignInLink
	err := tx.GetContext(ctx, &link, tx.Rebind(`SELECT `+signInLinkColumns+` FROM admin_sign_in_links WHERE token_hash = ?`), hash)
	switch {
	case isNoRows(err):
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "This sign-in link is not valid. Check that it was copied whole, or ask for a new one.")
	case err != nil:
		return err
	case link.UsedAt != nil:
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "This sign-in link was already used. Each link works once: ask for a new one.")
	}
	valid := link.ExpiresAt.Sub(link.CreatedAt).Round(time.Minute)
	return stockbell.Errorf(stockbell.EUNAUTHORIZED, "This sign-in link expired: it worked for %s after it was made. Ask for a new one.", stockbell.DurationWords(valid))
}
