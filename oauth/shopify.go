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

// Shopify runs the Shopify install: the OAuth authorization-code grant
// (Begin, Callback) and, for the embedded app, the session-token exchange
// (Session). Build it with NewShopify.
type Shopify struct {
	Config stockbell.ShopifyConfig
	Shops  stockbell.ShopService
	// Jobs receives the catalog sync and webhook registration jobs after
	// the shop is installed (InstallShop runs its own transaction).
	Jobs   stockbell.JobInserter
	Sealer stockbell.TokenSealer
	State  *StateStore
	HTTP   *http.Client
	Clock  stockbell.Clock
	Logger *slog.Logger
	// AdminHome returns where the merchant lands after install.
	AdminHome func(shop *stockbell.Shop) string
}

// NewShopify returns the install flow with a 15 s HTTP client and the
// landing page /admin?shop=DOMAIN.
func NewShopify(cfg stockbell.ShopifyConfig, shops stockbell.ShopService, jobs stockbell.JobInserter,
	sealer stockbell.TokenSealer, state *StateStore, clock stockbell.Clock, logger *slog.Logger) *Shopify {
	return &Shopify{
		Config: cfg, Shops: shops, Jobs: jobs, Sealer: sealer, State: state, Clock: clock, Logger: logger,
		HTTP: &http.Client{Timeout: 15 * time.Second},
		AdminHome: func(shop *stockbell.Shop) string {
			return "/admin?shop=" + url.QueryEscape(shop.Domain)
		},
	}
}

// Begin serves GET /auth/shopify?shop=…&timestamp=…&hmac=…: it checks the
// shop and the signature and redirects to the shop's authorize page with a
// state nonce bound to this browser.
func (s *Shopify) Begin(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	shop := query.Get("shop")
	if err := s.verifySigned(query); err != nil {
		renderFailure(w, r, s.Logger, "begin", shop, err)
		return
	}
	base, _ := s.Config.AdminBase(shop)
	nonce, err := s.State.Issue(w, r, shop)
	if err != nil {
		renderFailure(w, r, s.Logger, "begin", shop, err)
		return
	}
	authorize := url.Values{
		"client_id":    {s.Config.APIKey},
		"scope":        {strings.Join(s.Config.Scopes, ",")},
		"redirect_uri": {s.Config.AppURL + "/auth/shopify/callback"},
		"state":        {nonce},
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, base+"/admin/oauth/authorize?"+authorize.Encode(), http.StatusFound)
}

// Callback serves GET /auth/shopify/callback: it verifies the signature,
// the timestamp and the state, exchanges the code for an offline token,
// checks the granted scopes, installs the shop, queues its catalog sync and
// webhook registration, and lands the merchant on the shop's admin home.
func (s *Shopify) Callback(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	shop := query.Get("shop")
	fail := func(step string, err error) { renderFailure(w, r, s.Logger, step, shop, err) }
	if err := s.verifySigned(query); err != nil {
		fail("verify", err)
		return
	}
	if err := s.State.Verify(w, r, shop, query.Get("state")); err != nil {
		fail("state", err)
		return
	}
	code := query.Get("code")
	if code == "" {
		fail("verify", stockbell.FieldErrorf("code", "Shopify sent no authorization code."))
		return
	}
	token, err := s.exchange(r.Context(), shop, map[string]string{
		"client_id": s.Config.APIKey, "client_secret": s.Config.APISecret, "code": code,
	})
	if err != nil {
		fail("exchange", err)
		return
	}
	installed, err := s.install(r.Context(), shop, token)
	if err != nil {
		fail("install", err)
		return
	}
	s.Logger.Info("shop installed", "platform", "shopify", "shop", shop, "shop_id", installed.ID, "scopes", token.Scope)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, s.AdminHome(installed), http.StatusFound)
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

// install checks the granted scopes, seals the token, creates or
// reactivates the shop and queues its first jobs.
func (s *Shopify) install(ctx context.Context, shop string, token *accessToken) (*stockbell.Shop, error) {
	if missing := stockbell.ScopesCover(token.Scope, s.Config.Scopes); len(missing) > 0 {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Shopify granted %q but Stockbell needs %s as well.", token.Scope, strings.Join(missing, ", "))
	}
	sealed, err := s.Sealer.Seal([]byte(token.AccessToken))
	if err != nil {
		return nil, err
	}
	installed, err := s.Shops.InstallShop(ctx, stockbell.ShopInstall{
		Platform: stockbell.PlatformShopify, Domain: shop, Name: strings.TrimSuffix(shop, ".myshopify.com"),
		SealedToken: sealed, Scopes: token.Scope,
	})
	if err != nil {
		return nil, err
	}
	return installed, s.queueFirstJobs(ctx, installed.ID)
}

// queueFirstJobs inserts the catalog sync and webhook registration. They
// run after InstallShop's own transaction; should the insert fail, the
// merchant sees an error and reinstalling (which is idempotent) retries.
func (s *Shopify) queueFirstJobs(ctx context.Context, shopID int64) error {
	unique := &stockbell.JobOptions{UniqueByArgs: true}
	if err := s.Jobs.Insert(ctx, stockbell.ShopifyRegisterWebhooksJob{ShopID: shopID}, unique); err != nil {
		return err
	}
	return s.Jobs.Insert(ctx, stockbell.ShopifyCatalogSyncJob{ShopID: shopID}, unique)
}
