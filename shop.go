package stockbell

import (
	"context"
	"slices"
	"time"
)

// Platform names the storefront platform a shop lives on.
type Platform string

// The platforms Stockbell integrates with.
const (
	PlatformShopify     Platform = "shopify"
	PlatformBigCommerce Platform = "bigcommerce"
	PlatformMagento     Platform = "magento"
	PlatformPrestaShop  Platform = "prestashop"
	PlatformFeed        Platform = "feed"
	// PlatformDemo is the built-in demo shop, seeded in development only:
	// its product page is /demo and its stock changes come from the admin's
	// "simulate restock".
	PlatformDemo Platform = "demo"
)

// Platforms returns every known platform, in the order people are shown
// them (the command line's --platform values, say).
func Platforms() []Platform {
	return []Platform{PlatformShopify, PlatformBigCommerce, PlatformMagento, PlatformPrestaShop, PlatformFeed, PlatformDemo}
}

// Valid reports whether p is a known platform.
func (p Platform) Valid() bool { return slices.Contains(Platforms(), p) }

// Name is how the platform spells itself, for people.
func (p Platform) Name() string {
	switch p {
	case PlatformShopify:
		return "Shopify"
	case PlatformBigCommerce:
		return "BigCommerce"
	case PlatformMagento:
		return "Magento"
	case PlatformPrestaShop:
		return "PrestaShop"
	case PlatformFeed:
		return "catalog feed"
	}
	return string(p)
}

// SendsOrders reports whether the platform's integration hands Stockbell
// the shop's orders (ConversionService.RecordOrder): Shopify's and
// BigCommerce's do. Magento, PrestaShop and catalog feeds send none, so
// their notified shoppers are never seen to buy.
func (p Platform) SendsOrders() bool {
	return p == PlatformShopify || p == PlatformBigCommerce
}

// SendsOrders reports whether Stockbell receives the shop's orders: its
// platform sends them (Platform.SendsOrders) and, on Shopify, the shop
// granted ShopifyOrdersScope, without which Stockbell does not subscribe it
// to orders/create (a shop whose granted scopes were never recorded is
// taken to send them). A shop that sends none has no conversions to count.
func (s *Shop) SendsOrders() bool {
	if s.Platform == PlatformShopify && s.Scopes != "" {
		return len(ScopesCover(s.Scopes, []string{ShopifyOrdersScope})) == 0
	}
	return s.Platform.SendsOrders()
}

// WhyNoOrders says, for a shop that sends no orders, why Stockbell
// receives none: its platform sends none, or the Shopify shop did not
// grant access to its orders.
func (s *Shop) WhyNoOrders() string {
	if s.Platform == PlatformShopify {
		return "Stockbell receives no orders from this shop, which has not granted access to its orders (Shopify's " + ShopifyOrdersScope + " scope)"
	}
	return "Stockbell receives no orders from " + s.Platform.Name() + " shops"
}

// ShopStatus is where a shop is in its install life cycle.
type ShopStatus string

// Shop statuses. An uninstalled shop keeps its data (until the platform asks
// for it to be erased) but nothing is sent on its behalf.
const (
	ShopInstalled   ShopStatus = "installed"
	ShopUninstalled ShopStatus = "uninstalled"
)

// Shop is one merchant's store on one platform.
type Shop struct {
	ID       int64    `db:"id" json:"id"`
	Platform Platform `db:"platform" json:"platform"`
	// Domain is the platform domain (e.g. example.myshopify.com) or, for
	// platforms without one, the store's identifier there (stores/{hash}).
	Domain string `db:"domain" json:"domain"`
	// PrimaryDomain is the storefront's public domain when the platform tells it.
	PrimaryDomain string `db:"primary_domain" json:"primary_domain"`
	Name          string `db:"name" json:"name"`
	// Currency is the ISO 4217 code of the shop's prices as its platform
	// states it ("EUR"); empty when the platform has not said, and then
	// prices are shown without one (never guessed).
	Currency string `db:"currency" json:"currency"`
	// PublicKey identifies the shop in the storefront snippet; it is not a secret.
	PublicKey string     `db:"public_key" json:"public_key"`
	Status    ShopStatus `db:"status" json:"status"`
	// SealedToken is the platform access token, sealed (encrypted and
	// authenticated) with the server's secret key. Never logged, never served.
	SealedToken   []byte     `db:"sealed_token" json:"-"`
	Scopes        string     `db:"scopes" json:"scopes"`
	InstalledAt   time.Time  `db:"installed_at" json:"installed_at"`
	UninstalledAt *time.Time `db:"uninstalled_at" json:"uninstalled_at,omitempty"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at" json:"updated_at"`
	// PlatformInstalledAt is the latest install's time by the platform's
	// clock (ShopInstall.PlatformInstalledAt); nil when that install gave
	// none. Unlike InstalledAt (Stockbell's clock) it may be compared with
	// the platform's times of events.
	PlatformInstalledAt *time.Time `db:"platform_installed_at" json:"-"`
	// SealedRefreshToken is an expiring access token's refresh token,
	// sealed like SealedToken; nil for a token that does not expire.
	SealedRefreshToken []byte `db:"sealed_refresh_token" json:"-"`
	// TokenExpiresAt and RefreshTokenExpiresAt are when the access token
	// and its refresh token expire, by Stockbell's clock (the time the
	// platform's answer arrived plus the lifetime it gave); nil for a
	// token that does not expire.
	TokenExpiresAt        *time.Time `db:"token_expires_at" json:"-"`
	RefreshTokenExpiresAt *time.Time `db:"refresh_token_expires_at" json:"-"`
}

// TokenRefreshMargin is how long before its expiry an expiring access
// token is refreshed.
const TokenRefreshMargin = 5 * time.Minute

// TokenExpiring reports whether the shop's access token expires (it has a
// refresh token).
func (s *Shop) TokenExpiring() bool { return len(s.SealedRefreshToken) > 0 }

// TokenDue reports whether the shop's expiring access token expires within
// TokenRefreshMargin of now, so that it is refreshed before it is used.
func (s *Shop) TokenDue(now time.Time) bool {
	return s.TokenExpiring() && s.TokenExpiresAt != nil && !now.Before(s.TokenExpiresAt.Add(-TokenRefreshMargin))
}

// Active reports whether messages may be sent on the shop's behalf.
func (s *Shop) Active() bool { return s.Status == ShopInstalled }

// ShopFilter selects shops; nil fields do not filter.
type ShopFilter struct {
	ID        *int64
	Platform  *Platform
	Domain    *string
	PublicKey *string
	Status    *ShopStatus
	Offset    int
	Limit     int
}

// ShopInstall is what an install flow learns about a shop.
type ShopInstall struct {
	Platform      Platform
	Domain        string
	PrimaryDomain string
	Name          string
	// Currency is the shop's ISO 4217 currency code when the install knows
	// it; empty leaves a reinstalled shop's stored one.
	Currency string
	// Seal returns the platform access token sealed for the shop's id
	// (stockbell.SealToken); it is called in the install's transaction once
	// the id is known. Nil installs the shop without a token.
	Seal   func(shopID int64) ([]byte, error)
	Scopes string
	// Expiry, when its SealRefresh is set, makes the token an expiring one:
	// its refresh token and both expiries are stored with it. Zero: the
	// token does not expire.
	Expiry TokenExpiry
	// PlatformInstalledAt is the install's time by the platform's clock,
	// taken from what the platform signed for it; zero when unknown. A
	// reinstall replaces the stored one, with none when zero.
	PlatformInstalledAt time.Time
	// WebhookSecret, when set, returns the shop's new webhook secret for
	// its id (SHA-256 and sealed value); it replaces any stored one in the
	// install's transaction, so a PrestaShop shop's module secret is renewed
	// at each connect and the one before stops verifying at once.
	WebhookSecret func(shopID int64) (WebhookSecret, error)
	// FollowUp, when set, returns the jobs the installed shop needs (its
	// catalog sync, its webhook registration). They are inserted in the
	// install's transaction, unique by arguments: the shop is installed
	// exactly when its follow-up work is queued.
	FollowUp func(shop *Shop) []JobArgs
}

// TokenExpiry is what an expiring access token comes with: its refresh
// token, sealed for the shop's id (SealToken), and when each expires by
// Stockbell's clock.
type TokenExpiry struct {
	SealRefresh           func(shopID int64) ([]byte, error)
	TokenExpiresAt        time.Time
	RefreshTokenExpiresAt time.Time
}

// ShopTokenRenewal is a shop's new access token and refresh token, sealed
// for the shop, with their expiries (zero: none).
type ShopTokenRenewal struct {
	SealedToken           []byte
	SealedRefreshToken    []byte
	TokenExpiresAt        time.Time
	RefreshTokenExpiresAt time.Time
}

// ShopDetails is what a platform tells about a shop after install.
type ShopDetails struct {
	Name string
	// PrimaryDomain is the storefront's public host (e.g. shop.example.com);
	// the storefront API accepts requests from it.
	PrimaryDomain string
	// Currency is the ISO 4217 code of the shop's prices (its default or
	// base currency).
	Currency string
	// OwnerEmail is the address the platform writes to the shop's owner
	// at (Shopify's shop email), kept as the shop user ShopOwnerUserID
	// so that the emails to the shop's admin users reach the owner.
	OwnerEmail string
}

// ShopOwnerUserID is the user id of the shop user holding
// ShopDetails.OwnerEmail: a platform that tells the owner's address with
// the shop's details gives no user id for it. It is no platform's user id
// (theirs are numbers).
const ShopOwnerUserID = "shop-owner"

// ShopService manages shops.
type ShopService interface {
	// FindShopByID returns ENOTFOUND if no shop has that id.
	FindShopByID(ctx context.Context, id int64) (*Shop, error)
	// FindShopByDomain returns ENOTFOUND if the platform has no such shop.
	FindShopByDomain(ctx context.Context, platform Platform, domain string) (*Shop, error)
	// FindShopByKey looks a shop up by its public key or, failing that, by its
	// platform or primary domain, as the storefront snippet names it.
	// Returns ENOTFOUND if none matches.
	FindShopByKey(ctx context.Context, key string) (*Shop, error)
	// FindShopsByDomain returns every shop, installed or not, whose
	// platform domain or storefront (primary) domain is the domain, by id;
	// none is an empty list, not an error.
	FindShopsByDomain(ctx context.Context, domain string) ([]*Shop, error)
	// FindShops returns the shops matching the filter and the total count.
	FindShops(ctx context.Context, filter ShopFilter) ([]*Shop, int, error)
	// InstallShop creates the shop or reactivates it with a new token, and
	// inserts its follow-up jobs in the same transaction. Returns EINVALID
	// for an unknown platform or empty domain.
	InstallShop(ctx context.Context, install ShopInstall) (*Shop, error)
	// RenewShopToken serializes the renewal of a shop's access token
	// across goroutines and replicas: it locks the shop's row (the single
	// writer on SQLite), reads the shop and passes it to renew, which asks
	// the platform for a new token when the stored one still needs it; the
	// renewal it returns (nil: none) is stored in the same transaction.
	// It returns the shop as stored after, ENOTFOUND for an unknown shop,
	// or renew's error (nothing stored).
	RenewShopToken(ctx context.Context, id int64, renew func(shop *Shop) (*ShopTokenRenewal, error)) (*Shop, error)
	// UpdateShopDetails records what the platform says about the shop now:
	// its name, its storefront's primary domain, its currency and, while
	// it is installed, its owner's email (an empty value leaves the stored
	// one). Returns ENOTFOUND for an unknown shop.
	UpdateShopDetails(ctx context.Context, id int64, details ShopDetails) error
	// UninstallShop marks the shop uninstalled; its data is kept.
	// Returns ENOTFOUND if the shop does not exist.
	UninstallShop(ctx context.Context, id int64) error
	// UninstallShopHolding uninstalls the shop only if it still holds
	// sealedToken, the token the platform refused; a shop installed again
	// meanwhile holds another and stays installed: ECONFLICT.
	UninstallShopHolding(ctx context.Context, id int64, sealedToken []byte) error
	// DeleteShop erases an uninstalled shop and all its data, its jobs in
	// the job queue included (a running job keeps only arguments that
	// name no one): its subscribers' messages and subscriptions in a first
	// transaction, then the rest. An installed shop is never erased:
	// ECONFLICT (a redaction request for a shop that was installed again
	// since; one installed again between the two transactions keeps all
	// but its subscribers). Returns ENOTFOUND.
	DeleteShop(ctx context.Context, id int64) error
}

// UninstallRefusedShop uninstalls shop once its platform has refused the
// access token it holds (the app was uninstalled there): only while the
// shop still holds that token, so that one installed again meanwhile (a
// new token), or erased, stays as it is. It reports whether it
// uninstalled the shop.
func UninstallRefusedShop(ctx context.Context, shops ShopService, shop *Shop) (bool, error) {
	var err error
	if len(shop.SealedToken) == 0 {
		err = shops.UninstallShop(ctx, shop.ID)
	} else {
		err = shops.UninstallShopHolding(ctx, shop.ID, shop.SealedToken)
	}
	if code := ErrorCode(err); code == ECONFLICT || code == ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}
