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
// RegisterWebhooks and Reconcile.
type Integration struct {
	Config  stockbell.ShopifyConfig
	Shops   stockbell.ShopService
	Catalog stockbell.CatalogService
	Privacy stockbell.PrivacyService
	// Conversions receives orders/create (nil: orders are not counted).
	Conversions stockbell.ConversionService
	// Jobs inserts follow-up jobs (the per-shop reconciliations).
	Jobs stockbell.JobInserter
	// SyncLog records the catalog syncs and the reconciliations' failures
	// (CatalogSource, ReconcileSource) in the shop's sync log.
	SyncLog stockbell.SyncLogService
	Sealer  stockbell.TokenSealer
	Admin   *AdminClient
	// DataRequests receives what customers/data_request gathers.
	DataRequests stockbell.DataRequestSink
	Clock        stockbell.Clock
	Logger       *slog.Logger
}

// adminSession is an installed shop with its opened access token.
type adminSession struct {
	in    *Integration
	shop  *stockbell.Shop
	token string
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

func (s *adminSession) query(ctx context.Context, query string, vars map[string]any, out any) error {
	return s.in.Admin.Query(ctx, s.shop.Domain, s.token, query, vars, out)
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
