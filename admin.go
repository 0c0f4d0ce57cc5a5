package stockbell

import (
	"context"
	"time"
)

// AdminUser is the person signed in to a shop's admin, as the door they
// came through names them. Any field may be empty: a Shopify session token
// names only a user id, a one-time link made for the operator names no one.
type AdminUser struct {
	// ID is the platform's user id (Shopify's sub, BigCommerce's user.id).
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
}

// Label is how the admin shows the user: the name, else the email, else
// the platform's user id, else "you".
func (u AdminUser) Label() string {
	switch {
	case u.Name != "":
		return u.Name
	case u.Email != "":
		return u.Email
	case u.ID != "":
		return "user " + u.ID
	}
	return "you"
}

// AdminSessionService remembers the admin sessions ended before their
// time (signing out), so that every replica refuses a copy of their
// cookie. A session is named by a hash, never by a secret of it.
type AdminSessionService interface {
	// EndAdminSession records the session named sessionHash as ended until
	// expires, when its cookie expires anyway; ending it again changes
	// nothing. It also forgets the sessions past their expiry.
	EndAdminSession(ctx context.Context, sessionHash string, expires time.Time) error
	// AdminSessionEnded reports whether the session named sessionHash was
	// ended.
	AdminSessionEnded(ctx context.Context, sessionHash string) (bool, error)
}

// SignInLinkTTL is how long a one-time sign-in link stays valid.
const SignInLinkTTL = 15 * time.Minute

// SignInLink is a one-time link into one shop's admin: printed for the
// operator by `stockbell admin link`, or sent to invited staff. Only a hash
// of its secret token is stored; it works once, before ExpiresAt.
type SignInLink struct {
	ID     int64 `db:"id" json:"id"`
	ShopID int64 `db:"shop_id" json:"shop_id"`
	// Email is who the link was made for; empty for the operator.
	Email     string     `db:"email" json:"email,omitempty"`
	ExpiresAt time.Time  `db:"expires_at" json:"expires_at"`
	UsedAt    *time.Time `db:"used_at" json:"used_at,omitempty"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
}

// SignInLinkCreate asks for a new one-time link.
type SignInLinkCreate struct {
	ShopID int64
	Email  string
	// TTL is how long the link is valid; SignInLinkTTL when zero.
	TTL time.Duration
}

// SignInLinkService keeps one-time sign-in links. Their use is recorded in
// the database, so every replica agrees that a link was used.
type SignInLinkService interface {
	// CreateSignInLink stores a new link and returns its secret token,
	// which is not stored and cannot be read back. Returns ENOTFOUND for an
	// unknown shop, EINVALID for a TTL out of (0, 24h].
	CreateSignInLink(ctx context.Context, create SignInLinkCreate) (token string, link *SignInLink, err error)
	// UseSignInLink marks the link of the token used and returns it.
	// Returns EUNAUTHORIZED when the token is unknown, already used or
	// expired (the message says which, in the signing-in person's words).
	UseSignInLink(ctx context.Context, token string) (*SignInLink, error)
}
