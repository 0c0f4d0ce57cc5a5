package stockbell

import (
	"context"
	"strings"
	"time"
)

// APIKeyPrefix begins every key to the JSON admin API, so that a key
// pasted in the wrong place is recognisable.
const APIKeyPrefix = "sbk_"

// MaxAPIKeyName is the longest name a key may be given.
const MaxAPIKeyName = 100

// APIKey is a key to one shop's JSON admin API (/api/v1), sent as
// "Authorization: Bearer KEY". Only a hash of the key is stored: the key
// itself is shown once, when it is made.
type APIKey struct {
	ID     int64  `db:"id" json:"id"`
	ShopID int64  `db:"shop_id" json:"shop_id"`
	Name   string `db:"name" json:"name"`
	// Prefix is the key's first characters, to tell keys apart.
	Prefix     string     `db:"prefix" json:"prefix"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
}

// Revoked reports whether the key was revoked.
func (k *APIKey) Revoked() bool { return k.RevokedAt != nil }

// ValidateAPIKeyName trims a key's name and returns EINVALID naming the
// field "name" when it is empty or longer than MaxAPIKeyName.
func ValidateAPIKeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", FieldErrorf("name", "Give the key a name, such as the tool that will use it.")
	}
	if len([]rune(name)) > MaxAPIKeyName {
		return "", FieldErrorf("name", "A key's name has at most %d characters.", MaxAPIKeyName)
	}
	return name, nil
}

// APIKeyUseInterval is how often a key's last use is written: a key used
// many times a minute costs one write a minute.
const APIKeyUseInterval = time.Minute

// APIKeyService keeps the keys to shops' JSON admin API.
type APIKeyService interface {
	// CreateAPIKey makes a key for the shop and returns it with its record;
	// the key cannot be read back. Returns EINVALID naming "name" for a
	// missing or overlong name, ENOTFOUND for an unknown shop.
	CreateAPIKey(ctx context.Context, shopID int64, name string) (key string, record *APIKey, err error)
	// FindAPIKeys returns the shop's keys, revoked ones included, oldest first.
	FindAPIKeys(ctx context.Context, shopID int64) ([]*APIKey, error)
	// RevokeAPIKey revokes one of the shop's keys; revoking twice changes
	// nothing. Returns ENOTFOUND for a key of another shop or none.
	RevokeAPIKey(ctx context.Context, shopID, id int64) (*APIKey, error)
	// AuthenticateAPIKey returns the record of a valid key and records its
	// use (at most once per APIKeyUseInterval). Returns EUNAUTHORIZED for
	// an unknown or revoked key.
	AuthenticateAPIKey(ctx context.Context, key string) (*APIKey, error)
}
