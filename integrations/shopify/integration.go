package shopify

import (
	"context"
	"fmt"
	"log/slog"

	stockbell "github.com/stockbell/stockbell"
)

// Integration holds what the Shopify jobs and webhook processing need.
// Its methods are job handlers the server registers:
// ProcessReceipt (through the webhook registry), SyncCatalog,
// RegisterWebhooks, Reconcile and ReadProductVariants.
type Integration struct {
	Config  stockbell.ShopifyConfig
	Shops   stockbell.ShopService
	Catalog stockbell.CatalogService
	Privacy stockbell.PrivacyService
	// Conversions receives orders/create (nil: orders are not counted).
	Conversions stockbell.ConversionService
	// Jobs inserts follow-up jobs (the per-shop reconciliations, the
	// read of a large product's variants a products webhook needs).
	Jobs stockbell.JobInserter
	// SyncLog records the catalog syncs and the failures of the
	// reconciliations, token exchanges, reads of a large product's
	// variants, webhook registrations and webhooks' reads of an item or a
	// product (CatalogSource, ReconcileSource, TokenSource,
	// ProductVariantsSource, WebhooksSource, RereadSource) in the shop's
	// sync log.
	SyncLog stockbell.SyncLogService
	Sealer  stockbell.TokenSealer
	// Tokens refreshes expiring access tokens and exchanges non-expiring
	// ones (nil: tokens are used as they are).
	Tokens stockbell.ShopifyTokens
	Admin  *AdminClient
	// DataRequests receives what customers/data_request gathers.
	DataRequests stockbell.DataRequestSink
	Clock        stockbell.Clock
	Logger       *slog.Logger

	// foreign remembers the ids Shopify answered null for when asked
	// with a shop's token (foreign_ids.go).
	foreign foreignIDs
	// owner rations each shop's questions about products and inventory
	// items new to it (owner_budget.go).
	owner ownerBudget
}

// adminSession is an installed shop with its opened access token.
type adminSession struct {
	in    *Integration
	shop  *stockbell.Shop
	token string
	// retried is set once a refused call was retried with a refreshed
	// token: a session refreshes for a refusal once.
	retried bool
}

// session opens the shop's token for Admin API calls. It returns
// EUNAUTHORIZED for a shop without a token (uninstalled).
func (in *Integration) session(shop *stockbell.Shop) (*adminSession, error) {
	if !shop.Active() || len(shop.SealedToken) == 0 {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "shop %s is not installed", shop.Domain)
	}
	token, err := in.Sealer.Open(shop.ID, shop.SealedToken)
	if err != nil {
		return nil, fmt.Errorf("open token of %s: %w", shop.Domain, err)
	}
	return &adminSession{in: in, shop: shop, token: string(token)}, nil
}

// readSession opens the shop's session (session) and begins a stock read
// before any query of it is sent, so that what its answers hold is
// ordered against the webhooks processed meanwhile.
func (in *Integration) readSession(ctx context.Context, shop *stockbell.Shop) (*adminSession, stockbell.StockRead, error) {
	sess, err := in.session(shop)
	if err != nil {
		return nil, stockbell.StockRead{}, err
	}
	read, err := in.Catalog.BeginStockRead(ctx)
	return sess, read, err
}

// query runs an Admin API query with the shop's token. An expiring token
// due for refresh (stockbell.TokenRefreshMargin) is refreshed first; when
// Shopify refuses an expiring token it did not just refresh, it is
// refreshed and the query retried, once per session.
func (s *adminSession) query(ctx context.Context, query string, vars map[string]any, out any) error {
	due := s.shop.TokenDue(s.in.Clock.Now())
	if due {
		if err := s.refresh(ctx); err != nil {
			return err
		}
	}
	err := s.in.Admin.Query(ctx, s.shop.Domain, s.token, query, vars, out)
	if stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED || !s.shop.TokenExpiring() || due || s.retried || s.in.Tokens == nil {
		return err
	}
	s.retried = true
	s.in.Logger.InfoContext(ctx, "shopify refused the shop's expiring token; refreshing it and trying again", "shop", s.shop.Domain)
	if err := s.refresh(ctx); err != nil {
		return err
	}
	return s.in.Admin.Query(ctx, s.shop.Domain, s.token, query, vars, out)
}

// refresh replaces the session's token with a refreshed one (or the one
// another caller refreshed meanwhile). A shop found uninstalled is
// EUNAUTHORIZED, as a refused token.
func (s *adminSession) refresh(ctx context.Context) error {
	if s.in.Tokens == nil {
		return nil
	}
	shop, err := s.in.Tokens.RefreshShopToken(ctx, s.shop)
	if err != nil {
		return err
	}
	fresh, err := s.in.session(shop)
	if err != nil {
		return err
	}
	s.shop, s.token = fresh.shop, fresh.token
	return nil
}

// activeSession opens an Admin API session for the shop, or returns nil
// when the shop is gone or uninstalled (the job then has nothing to do).
func (in *Integration) activeSession(ctx context.Context, id int64) (*adminSession, error) {
	shop, err := in.Shops.FindShopByID(ctx, id)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !shop.Active() {
		return nil, nil
	}
	return in.session(shop)
}
