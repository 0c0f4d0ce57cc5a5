package stockbell

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"
)

// BigCommerceConfig is the BigCommerce app's configuration, shared by the
// install steps (oauth) and the integration (integrations/bigcommerce).
// The server reads it from BIGCOMMERCE_* and STOCKBELL_BIGCOMMERCE_*.
type BigCommerceConfig struct {
	ClientID     string // BIGCOMMERCE_CLIENT_ID
	ClientSecret string // BIGCOMMERCE_CLIENT_SECRET: signs load callbacks
	// LoginURL is the OAuth host (https://login.bigcommerce.com); APIURL
	// the API host (https://api.bigcommerce.com). Tests point both at a
	// loopback fake.
	LoginURL string // STOCKBELL_BIGCOMMERCE_LOGIN_URL
	APIURL   string // STOCKBELL_BIGCOMMERCE_API_URL
	// AppURL is the public URL of this server, without trailing slash: the
	// OAuth redirect and the webhooks' destination.
	AppURL string // STOCKBELL_PUBLIC_URL
	// AppID is the app's id, a number, when the operator gives it: links
	// from outside BigCommerce (report emails) then open the admin in the
	// store's control panel. Empty, they lead to the server itself.
	AppID string // STOCKBELL_BIGCOMMERCE_APP_ID
}

// Defaults of the BigCommerce hosts.
const (
	DefaultBigCommerceLoginURL = "https://login.bigcommerce.com"
	DefaultBigCommerceAPIURL   = "https://api.bigcommerce.com"
)

// Enabled reports whether a BigCommerce app is configured at all.
func (c BigCommerceConfig) Enabled() bool { return c.ClientID != "" }

// Validate checks a configured app's settings, naming the variable of
// each that is wrong (joined with errors.Join).
func (c BigCommerceConfig) Validate() error {
	errs := c.settingErrors()
	if !absoluteURL(c.AppURL) {
		errs = append(errs, FieldErrorf("STOCKBELL_PUBLIC_URL", "want the absolute public URL of the server, got %q", c.AppURL))
	}
	return errors.Join(errs...)
}

// ValidateWithoutAppURL checks every setting but AppURL (the client
// secret, the hosts and the app's id), naming the variable: AppURL only
// what links to this server (the install, the webhooks) uses, while a
// wrong value of the others stops every command, as it stops the server.
// Every wrong setting is returned, joined (errors.Join), in that order.
func (c BigCommerceConfig) ValidateWithoutAppURL() error {
	return errors.Join(c.settingErrors()...)
}

// settingErrors returns an error for each wrong setting but AppURL.
func (c BigCommerceConfig) settingErrors() []error {
	var errs []error
	if c.ClientSecret == "" {
		errs = append(errs, FieldErrorf("BIGCOMMERCE_CLIENT_SECRET", "required when BIGCOMMERCE_CLIENT_ID is set"))
	}
	if !absoluteURL(c.LoginURL) {
		errs = append(errs, FieldErrorf("STOCKBELL_BIGCOMMERCE_LOGIN_URL", "want an absolute http(s) URL, got %q", c.LoginURL))
	}
	if !absoluteURL(c.APIURL) {
		errs = append(errs, FieldErrorf("STOCKBELL_BIGCOMMERCE_API_URL", "want an absolute http(s) URL, got %q", c.APIURL))
	}
	if c.AppID != "" && !appIDPattern.MatchString(c.AppID) {
		errs = append(errs, FieldErrorf("STOCKBELL_BIGCOMMERCE_APP_ID", "want the app's id, a number (in the Developer Portal's URL of the app, /my/apps/{id}), got %q", c.AppID))
	}
	return errs
}

func absoluteURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && len(s) > len("https://")
}

// BigCommerceContext returns the shop domain Stockbell gives a BigCommerce
// store, "stores/{hash}" (the context, sub and producer BigCommerce
// sends), or EINVALID for anything but a store hash.
func BigCommerceContext(hash string) (string, error) {
	hash = strings.TrimPrefix(hash, "stores/")
	if !storeHashPattern.MatchString(hash) {
		return "", FieldErrorf("context", "%q is not a BigCommerce store hash", hash)
	}
	return "stores/" + hash, nil
}

// StoreHash returns the store hash of a BigCommerce shop domain.
func StoreHash(domain string) string { return strings.TrimPrefix(domain, "stores/") }

var storeHashPattern = regexp.MustCompile(`^[a-z0-9]{1,32}$`)

// ShopUser is a person with access to a shop's admin through its platform
// (a BigCommerce store's owner or a user the owner granted the app to), or
// a shop's owner known by the address its platform writes to them at
// (a Shopify shop's email: ShopOwnerUserID).
type ShopUser struct {
	ShopID int64 `db:"shop_id" json:"shop_id"`
	// UserID is the platform's user id.
	UserID string `db:"user_id" json:"user_id"`
	Email  string `db:"email" json:"email"`
	Owner  bool   `db:"owner" json:"owner"`
	// GrantedAt is when the platform vouched for the user (a signed
	// payload's issue time, by the platform's clock); a grant vouched for
	// before the user was removed is refused. Zero for a grant that cannot
	// be replayed (an install's code exchange).
	GrantedAt time.Time `db:"-" json:"-"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// ShopUserService keeps who may open a shop's admin from its platform.
type ShopUserService interface {
	// GrantShopUser adds or updates the user. Returns EINVALID without a
	// user id, ENOTFOUND for an unknown shop, EUNAUTHORIZED when the user
	// was removed after GrantedAt (a replayed payload).
	GrantShopUser(ctx context.Context, user ShopUser) error
	// RevokeShopUser removes the user's access, remembering when:
	// removedAt, the platform's time of the removal (a signed payload's
	// issue time), which later grants' GrantedAt are compared with; the
	// store's clock only when it is zero. The removal is recorded even
	// when the user had no access (a payload signed before it may still
	// be replayed), and kept across an uninstall. Returns ENOTFOUND for an
	// unknown shop.
	RevokeShopUser(ctx context.Context, shopID int64, userID string, removedAt time.Time) error
	// FindShopUser returns ENOTFOUND when the user has no access.
	FindShopUser(ctx context.Context, shopID int64, userID string) (*ShopUser, error)
	// FindAdminEmails returns the email addresses of the people who may
	// open the shop's admin: its platform users and the staff who signed
	// in with a link sent to them; none when the shop knows no one's.
	FindAdminEmails(ctx context.Context, shopID int64) ([]string, error)
}

// WebhookSecret is the secret a shop's platform sends back in a header of
// every webhook (BigCommerce's custom hook headers), stored as its SHA-256
// (to find the shop) and sealed (to set it on new hooks).
type WebhookSecret struct {
	ShopID int64 `db:"shop_id"`
	// Hash is the lower-case hex SHA-256 of the secret.
	Hash   string `db:"secret_hash"`
	Sealed []byte `db:"sealed_secret"`
}

// WebhookSecretService keeps shops' webhook secrets.
type WebhookSecretService interface {
	// EnsureWebhookSecret stores secret as the shop's unless it has one,
	// and returns the shop's secret. Returns ENOTFOUND for an unknown shop.
	EnsureWebhookSecret(ctx context.Context, secret WebhookSecret) (*WebhookSecret, error)
	// FindWebhookSecret returns the secret whose hash is hash. Returns
	// ENOTFOUND.
	FindWebhookSecret(ctx context.Context, hash string) (*WebhookSecret, error)
	// FindShopWebhookSecret returns the shop's secret. Returns ENOTFOUND
	// when it has none.
	FindShopWebhookSecret(ctx context.Context, shopID int64) (*WebhookSecret, error)
}

// BigCommerceRegisterHooksJob creates a store's webhooks, and re-creates
// or reactivates those BigCommerce deactivated. ShopID 0 means every
// installed BigCommerce store: the job then queues one job per store.
type BigCommerceRegisterHooksJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (BigCommerceRegisterHooksJob) Kind() string { return "bigcommerce_register_hooks" }

// BigCommerceCatalogSyncJob reads a store's whole catalog with stock.
type BigCommerceCatalogSyncJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (BigCommerceCatalogSyncJob) Kind() string { return "bigcommerce_catalog_sync" }

// BigCommerceConfirmUninstallJob confirms with BigCommerce an uninstall
// callback its API could not confirm when the callback came (away, or
// still accepting the token): the store is uninstalled once BigCommerce
// refuses the access token it holds.
type BigCommerceConfirmUninstallJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (BigCommerceConfirmUninstallJob) Kind() string { return "bigcommerce_confirm_uninstall" }

// BigCommerceReconcileJob re-reads the stock of variants with queued
// subscribers. ShopID 0 means every installed BigCommerce store.
type BigCommerceReconcileJob struct {
	ShopID int64 `json:"shop_id"`
}

// Kind implements JobArgs.
func (BigCommerceReconcileJob) Kind() string { return "bigcommerce_reconcile" }

// BigCommerceControlPanelAppURL returns where a link from outside
// BigCommerce (an email) opens a page of the app whose id is appID in the
// control panel of the store whose shop domain is domain:
// https://store-{hash}.mybigcommerce.com/manage/app/{app id}{page}, page a
// path with its query. The control panel signs its user in and shows the
// app in its frame, through the load callback, whose payload's url (the
// deep link) is the path after the app's id; the load opens that page of
// the admin. ok is false for a domain that is not stores/{hash}, an app id
// that is not a number, or a page that is not a path.
func BigCommerceControlPanelAppURL(domain, appID, page string) (link string, ok bool) {
	hash, isStore := strings.CutPrefix(domain, "stores/")
	if !isStore || !storeHashPattern.MatchString(hash) || !appIDPattern.MatchString(appID) ||
		!strings.HasPrefix(page, "/") || strings.HasPrefix(page, "//") {
		return "", false
	}
	return "https://store-" + hash + ".mybigcommerce.com/manage/app/" + appID + page, true
}

// appIDPattern is a BigCommerce app's id, a number (the Developer Portal's
// URL of the app, /my/apps/{id}, shows it).
var appIDPattern = regexp.MustCompile(`^[0-9]{1,20}$`)
