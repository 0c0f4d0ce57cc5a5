package oauth

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// MaxTimestampSkew is how far the timestamp of a signed Shopify redirect
// may be from now.
const MaxTimestampSkew = 90 * time.Second

// Shopify is the Shopify install as plain steps: the OAuth
// authorization-code grant (VerifyStart, AuthorizeURL, VerifyCallback,
// Install) and, for
// the embedded app, the session-token exchange (InstallFromSessionToken).
// The web layer serves /auth/shopify, /auth/shopify/callback and
// /auth/shopify/session with them. Build it with NewShopify.
type Shopify struct {
	Config stockbell.ShopifyConfig
	Shops  stockbell.ShopService
	Sealer stockbell.TokenSealer
	HTTP   *http.Client
	Clock  stockbell.Clock
	Logger *slog.Logger
}

// NewShopify returns the install steps with a 15 s HTTP client.
func NewShopify(cfg stockbell.ShopifyConfig, shops stockbell.ShopService, sealer stockbell.TokenSealer,
	clock stockbell.Clock, logger *slog.Logger) *Shopify {
	return &Shopify{Config: cfg, Shops: shops, Sealer: sealer, Clock: clock, Logger: logger,
		HTTP: tokenEndpointClient()}
}

// VerifyStart checks the signed link Shopify opens to start an install
// (?shop=…&timestamp=…&hmac=…) and returns the shop it names. Returns
// EINVALID for a malformed shop and EUNAUTHORIZED for a bad signature or
// an expired link.
func (s *Shopify) VerifyStart(query url.Values) (shop string, err error) {
	return query.Get("shop"), s.verifySigned(query)
}

// AuthorizeURL is the shop's page where the merchant approves the install;
// it carries state (the nonce the web layer bound to the merchant's
// browser) back to /auth/shopify/callback. Returns EINVALID for a
// malformed shop domain.
func (s *Shopify) AuthorizeURL(shop, state string) (string, error) {
	base, err := s.Config.AdminBase(shop)
	if err != nil {
		return "", err
	}
	authorize := url.Values{
		"client_id":    {s.Config.APIKey},
		"scope":        {strings.Join(s.Config.Scopes, ",")},
		"redirect_uri": {s.Config.AppURL + "/auth/shopify/callback"},
		"state":        {state},
	}
	return base + "/admin/oauth/authorize?" + authorize.Encode(), nil
}

// VerifyCallback checks the signature and timestamp of Shopify's redirect
// back to /auth/shopify/callback and returns the shop and the state it
// carries, for the web layer to compare with the browser's.
func (s *Shopify) VerifyCallback(query url.Values) (shop, state string, err error) {
	return query.Get("shop"), query.Get("state"), s.verifySigned(query)
}

// Install finishes an install from a verified callback: it exchanges the
// code for an expiring offline token, checks the granted scopes and installs the
// shop with its catalog sync and webhook registration. Returns
// EUNAUTHORIZED when Shopify refuses the code or grants too little, and
// EUPSTREAM when Shopify cannot be reached.
func (s *Shopify) Install(ctx context.Context, query url.Values) (*stockbell.Shop, error) {
	shop, code := query.Get("shop"), query.Get("code")
	if code == "" {
		return nil, stockbell.FieldErrorf("code", "Shopify sent no authorization code.")
	}
	token, err := s.exchange(ctx, shop, map[string]string{"code": code})
	if err != nil {
		return nil, err
	}
	installed, err := s.install(ctx, shop, token, signedTime(query))
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "shop installed", "platform", "shopify", "shop", shop, "shop_id", installed.ID, "scopes", token.Scope)
	return installed, nil
}

// verifySigned checks the shop domain, the hmac and the timestamp of a
// redirect Shopify signed.
func (s *Shopify) verifySigned(query url.Values) error {
	if !stockbell.ValidShopifyDomain(query.Get("shop")) {
		return stockbell.FieldErrorf("shop", "%q is not a shop domain such as example.myshopify.com.", query.Get("shop"))
	}
	if err := VerifyShopifyQuery(s.Config.Secrets(), query); err != nil {
		return err
	}
	ts, err := strconv.ParseInt(query.Get("timestamp"), 10, 64)
	if err != nil {
		return stockbell.FieldErrorf("timestamp", "The request from Shopify has no valid timestamp.")
	}
	if skew := s.Clock.Now().Sub(time.Unix(ts, 0)); skew > MaxTimestampSkew || skew < -MaxTimestampSkew {
		return stockbell.Errorf(stockbell.EUNAUTHORIZED, "The link from Shopify has expired (its timestamp is %s away from now).", skew.Round(time.Second))
	}
	return nil
}

// signedTime is the timestamp of a redirect Shopify signed, by Shopify's
// clock; zero when it has none.
func signedTime(query url.Values) time.Time {
	ts, err := strconv.ParseInt(query.Get("timestamp"), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(ts, 0).UTC()
}

// install checks the granted scopes, seals the token and creates or
// reactivates the shop; its first jobs are inserted in the same
// transaction, so a shop is installed exactly when its sync is queued.
// shopifyTime is when Shopify signed what led to the install (zero when
// unknown): app/uninstalled webhooks are ordered against it.
func (s *Shopify) install(ctx context.Context, shop string, token *accessToken, shopifyTime time.Time) (*stockbell.Shop, error) {
	if missing := stockbell.ScopesCover(token.Scope, s.Config.Scopes); len(missing) > 0 {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Shopify granted %q but Stockbell needs %s as well.", token.Scope, strings.Join(missing, ", "))
	}
	return s.Shops.InstallShop(ctx, stockbell.ShopInstall{
		Platform: stockbell.PlatformShopify, Domain: shop, Name: strings.TrimSuffix(shop, ".myshopify.com"),
		Seal: stockbell.SealToken(s.Sealer, token.AccessToken), Scopes: token.Scope, FollowUp: firstJobs,
		PlatformInstalledAt: shopifyTime, Expiry: token.expiry(s.Sealer),
	})
}

// firstJobs are the jobs a newly installed Shopify shop needs: its webhook
// subscriptions, then its catalog.
func firstJobs(shop *stockbell.Shop) []stockbell.JobArgs {
	return []stockbell.JobArgs{
		stockbell.ShopifyRegisterWebhooksJob{ShopID: shop.ID},
		stockbell.ShopifyCatalogSyncJob{ShopID: shop.ID},
	}
}
