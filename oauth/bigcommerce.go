package oauth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// BigCommerceCallbackPath is the app's auth callback, registered in the
// BigCommerce developer portal.
const BigCommerceCallbackPath = "/auth/bigcommerce/callback"

// BigCommerce runs the BigCommerce app's install and its signed callbacks
// as plain steps; server/web serves the routes. A single-click app is
// installed from the store's control panel: BigCommerce calls the auth
// callback with a code to exchange, then loads the app (load), and later
// calls uninstall and remove_user, each with a payload signed with the
// client secret.
type BigCommerce struct {
	Config stockbell.BigCommerceConfig
	Shops  stockbell.ShopService
	Users  stockbell.ShopUserService
	Sealer stockbell.TokenSealer
	// Uninstalls confirms an uninstall callback with BigCommerce's API;
	// Jobs queues the confirmation for later when the API cannot be asked.
	Uninstalls BigCommerceUninstaller
	Jobs       stockbell.JobInserter
	HTTP       *http.Client
	Clock      stockbell.Clock
	Logger     *slog.Logger
}

// BigCommerceUninstaller uninstalls a store once BigCommerce's API confirms
// the app is uninstalled (integrations/bigcommerce implements it).
type BigCommerceUninstaller interface {
	// ConfirmUninstall uninstalls the shop if BigCommerce refuses the
	// access token it holds, and reports whether it did: false when
	// BigCommerce accepts the token (the app is installed) or the shop was
	// installed again meanwhile. An error when BigCommerce could not be
	// asked; nothing is changed then.
	ConfirmUninstall(ctx context.Context, shop *stockbell.Shop) (bool, error)
}

// NewBigCommerce returns the steps with a 15 s HTTP client.
func NewBigCommerce(cfg stockbell.BigCommerceConfig, shops stockbell.ShopService, users stockbell.ShopUserService,
	sealer stockbell.TokenSealer, uninstalls BigCommerceUninstaller, jobs stockbell.JobInserter,
	clock stockbell.Clock, logger *slog.Logger) *BigCommerce {
	return &BigCommerce{Config: cfg, Shops: shops, Users: users, Sealer: sealer, Uninstalls: uninstalls, Jobs: jobs,
		Clock: clock, Logger: logger, HTTP: tokenEndpointClient()}
}

// Install serves the auth callback (code, context stores/{hash}, scope,
// account_uuid): it exchanges the code at the token endpoint, seals the
// token, creates or reactivates the store, records its owner as a user,
// and queues its hooks and catalog sync. It returns the shop and the user
// who installed. EINVALID for a malformed callback, EUNAUTHORIZED when
// BigCommerce refuses the code.
func (b *BigCommerce) Install(ctx context.Context, query url.Values) (*stockbell.Shop, *stockbell.ShopUser, error) {
	domain, err := stockbell.BigCommerceContext(query.Get("context"))
	if err != nil {
		return nil, nil, err
	}
	if query.Get("code") == "" {
		return nil, nil, stockbell.FieldErrorf("code", "BigCommerce sent no authorization code.")
	}
	token, err := b.exchange(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	if token.Context != domain {
		return nil, nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "BigCommerce issued the token for %q, not %q.", token.Context, domain)
	}
	shop, err := b.Shops.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformBigCommerce, Domain: domain,
		Name: stockbell.StoreHash(domain), Seal: stockbell.SealToken(b.Sealer, token.AccessToken), Scopes: token.Scope,
		FollowUp: bigCommerceFirstJobs})
	if err != nil {
		return nil, nil, err
	}
	// The code was exchanged just now: no replay to refuse (GrantedAt zero).
	user := &stockbell.ShopUser{ShopID: shop.ID, UserID: strconv.FormatInt(token.User.ID, 10), Email: token.User.Email,
		Owner: token.Owner.ID == 0 || token.Owner.ID == token.User.ID}
	if err := b.Users.GrantShopUser(ctx, *user); err != nil {
		return nil, nil, err
	}
	b.Logger.InfoContext(ctx, "shop installed", "platform", "bigcommerce", "shop", domain, "shop_id", shop.ID, "scopes", token.Scope)
	return shop, user, nil
}

// bigCommerceFirstJobs are the jobs a newly installed store needs: its
// hooks (and its name and domain), then its catalog.
func bigCommerceFirstJobs(shop *stockbell.Shop) []stockbell.JobArgs {
	return []stockbell.JobArgs{
		stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID},
		stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID},
	}
}

// Load serves the load callback: it verifies the signed payload and returns
// the installed store, the user opening it (granted access: the owner
// grants users the app in the control panel, and their first load is how
// Stockbell learns of them) and the page of the app asked for (the
// payload's url, unchecked: "" or "/" for its home). EUNAUTHORIZED for a
// bad or expired payload, a store that is not installed, or a user removed
// since the payload was signed.
func (b *BigCommerce) Load(ctx context.Context, query url.Values) (*stockbell.Shop, *stockbell.ShopUser, string, error) {
	p, shop, err := b.verifiedStore(ctx, query)
	if err != nil {
		return nil, nil, "", err
	}
	if !shop.Active() {
		return nil, nil, "", stockbell.Errorf(stockbell.EUNAUTHORIZED, "Stockbell is not installed on this store: install it again from the control panel.")
	}
	user := p.shopUser(shop.ID)
	if err := b.Users.GrantShopUser(ctx, user); err != nil {
		return nil, nil, "", err
	}
	return shop, &user, p.URL, nil
}

// Uninstall serves the uninstall callback: once BigCommerce's API refuses
// the store's access token (Uninstalls), it stops all sending for the
// store and erases its token (and its users' access and webhook secret).
// The signed payload stays valid for a day, so it proves who sent the
// callback, not that the app is uninstalled now: a callback whose token
// BigCommerce still accepts (replayed, late after a reinstall, or early)
// changes nothing and is answered as done, with a warning logged, and
// BigCommerce is asked again later (recheckLater). Nothing is
// ordered by comparing the payload's time with Stockbell's. When
// BigCommerce's API cannot be asked, the store stays installed, the
// confirmation is queued (BigCommerce does not call the callback again)
// and EUPSTREAM is returned.
func (b *BigCommerce) Uninstall(ctx context.Context, query url.Values) (*stockbell.Shop, error) {
	_, shop, err := b.verifiedStore(ctx, query)
	if err != nil {
		return nil, err
	}
	if !shop.Active() {
		return shop, nil
	}
	uninstalled, err := b.Uninstalls.ConfirmUninstall(ctx, shop)
	if err != nil {
		return nil, b.confirmLater(ctx, shop, err)
	}
	if !uninstalled {
		b.recheckLater(ctx, shop)
	}
	return shop, nil
}

// UninstallRecheckDelay is how long after an uninstall callback whose
// token BigCommerce still accepted it is asked again (and then by the
// job's retries, about four hours in all): BigCommerce does not document
// that the token is refused by the time the callback comes, and a
// callback that came a moment early must not leave an uninstalled store
// installed. A replayed callback costs those few calls and changes nothing.
const UninstallRecheckDelay = time.Minute

// recheckLater queues the confirmation of an uninstall callback whose
// token BigCommerce still accepted, to ask again after
// UninstallRecheckDelay.
func (b *BigCommerce) recheckLater(ctx context.Context, shop *stockbell.Shop) {
	b.Logger.WarnContext(ctx, "bigcommerce uninstall callback not applied: BigCommerce accepts the store's access token (or it was installed again); asked again later",
		"shop", shop.Domain, "shop_id", shop.ID)
	job := stockbell.BigCommerceConfirmUninstallJob{ShopID: shop.ID}
	opts := &stockbell.JobOptions{UniqueByArgs: true, ScheduledAt: b.Clock.Now().Add(UninstallRecheckDelay)}
	if err := b.Jobs.Insert(ctx, job, opts); err != nil {
		b.Logger.ErrorContext(ctx, "queueing the uninstall's confirmation failed", "shop", shop.Domain, "shop_id", shop.ID, "err", err)
	}
}

// confirmLater queues the uninstall's confirmation that BigCommerce's API
// could not give now (cause), and returns the error to answer.
func (b *BigCommerce) confirmLater(ctx context.Context, shop *stockbell.Shop, cause error) error {
	job := stockbell.BigCommerceConfirmUninstallJob{ShopID: shop.ID}
	if err := b.Jobs.Insert(ctx, job, &stockbell.JobOptions{UniqueByArgs: true}); err != nil {
		return fmt.Errorf("queue the uninstall's confirmation of %s: %w (BigCommerce: %w)", shop.Domain, err, cause)
	}
	b.Logger.WarnContext(ctx, "bigcommerce uninstall not confirmed yet: BigCommerce could not be asked, confirmation queued",
		"shop", shop.Domain, "shop_id", shop.ID, "err", cause)
	return fmt.Errorf("%w: %w", stockbell.Errorf(stockbell.EUPSTREAM,
		"BigCommerce could not confirm the uninstall; Stockbell will ask again."), cause)
}

// RemoveUser serves the remove_user callback: the user can no longer open
// the store's admin, and a load signed before the removal (by
// BigCommerce's clock) grants nothing, whether or not Stockbell had seen
// the user load the app before.
func (b *BigCommerce) RemoveUser(ctx context.Context, query url.Values) (*stockbell.Shop, error) {
	p, shop, err := b.verifiedStore(ctx, query)
	if err != nil {
		return nil, err
	}
	if err := b.Users.RevokeShopUser(ctx, shop.ID, p.User.ID, p.IssuedAt); err != nil && stockbell.ErrorCode(err) != stockbell.ENOTFOUND {
		return nil, err
	}
	b.Logger.InfoContext(ctx, "store user removed", "platform", "bigcommerce", "shop", shop.Domain, "user", p.User.ID)
	return shop, nil
}

// verifiedStore verifies the callback's payload and finds its store.
func (b *BigCommerce) verifiedStore(ctx context.Context, query url.Values) (*SignedPayload, *stockbell.Shop, error) {
	p, err := b.VerifySignedPayload(query)
	if err != nil {
		return nil, nil, err
	}
	shop, err := b.Shops.FindShopByDomain(ctx, stockbell.PlatformBigCommerce, p.Context)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Stockbell was never installed on store %s.", strings.TrimPrefix(p.Context, "stores/"))
	}
	return p, shop, err
}
