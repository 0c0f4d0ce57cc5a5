package bigcommerce

import (
	"context"
	"fmt"
	"log/slog"

	stockbell "github.com/stockbell/stockbell"
)

// Integration holds what the BigCommerce jobs and webhook processing need.
// Its methods are job handlers the server registers: ProcessReceipt
// (through the webhook registry), RegisterHooks, SyncCatalog and
// Reconcile.
type Integration struct {
	Config      stockbell.BigCommerceConfig
	Shops       stockbell.ShopService
	Catalog     stockbell.CatalogService
	Secrets     stockbell.WebhookSecretService
	Conversions stockbell.ConversionService
	// SyncLog records the catalog syncs.
	SyncLog stockbell.SyncLogService
	// Jobs queues the per-store jobs of a fan-out.
	Jobs   stockbell.JobInserter
	Sealer stockbell.TokenSealer
	Client *Client
	Clock  stockbell.Clock
	Logger *slog.Logger
}

// activeSession opens an API session for the shop, or returns nil when
// the shop is gone or uninstalled (the job then has nothing to do).
func (in *Integration) activeSession(ctx context.Context, id int64) (*stockbell.Shop, *session, error) {
	shop, err := in.Shops.FindShopByID(ctx, id)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	if !shop.Active() {
		return nil, nil, nil
	}
	s, err := in.session(shop)
	return shop, s, err
}

// session opens the shop's token. It returns EUNAUTHORIZED for a shop
// without one.
func (in *Integration) session(shop *stockbell.Shop) (*session, error) {
	if !shop.Active() || len(shop.SealedToken) == 0 {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "store %s is not installed", shop.Domain)
	}
	token, err := in.Sealer.Open(shop.ID, shop.SealedToken)
	if err != nil {
		return nil, fmt.Errorf("open token of %s: %w", shop.Domain, err)
	}
	return &session{client: in.Client, store: stockbell.StoreHash(shop.Domain), token: string(token)}, nil
}

// fanOut queues, unique by arguments, the job that job returns for each
// installed BigCommerce store (nil: none for that store). A periodic job
// that finds the same job running is dropped, without asking it to run
// again (NoRerun): the running one reads as fresh a state.
func (in *Integration) fanOut(ctx context.Context, job func(shop *stockbell.Shop) stockbell.JobArgs) error {
	platform, status := stockbell.PlatformBigCommerce, stockbell.ShopInstalled
	for offset := 0; ; offset += 100 {
		shops, _, err := in.Shops.FindShops(ctx, stockbell.ShopFilter{Platform: &platform, Status: &status, Offset: offset, Limit: 100})
		if err != nil {
			return err
		}
		for _, shop := range shops {
			args := job(shop)
			if args == nil {
				continue
			}
			if err := in.Jobs.Insert(ctx, args, &stockbell.JobOptions{UniqueByArgs: true, NoRerun: true}); err != nil {
				return err
			}
		}
		if len(shops) < 100 {
			return nil
		}
	}
}

func ignoreNotFound(err error) error {
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	}
	return err
}
