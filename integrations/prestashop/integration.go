package prestashop

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	stockbell "github.com/stockbell/stockbell"
)

// Integration holds what PrestaShop's connect, jobs and receipt processing
// need. Its methods are the handlers the server registers: ProcessReceipt
// (through the webhook registry), SyncCatalog and Reconcile.
type Integration struct {
	Shops   stockbell.ShopService
	Catalog stockbell.CatalogService
	// SyncLog records the catalog syncs and the posts naming variants the
	// shop does not have.
	SyncLog stockbell.SyncLogService
	// Jobs queues the per-shop jobs of a fan-out.
	Jobs   stockbell.JobInserter
	Sealer stockbell.TokenSealer
	Client *Client
	Clock  stockbell.Clock
	Logger *slog.Logger

	// owners keeps each shop's place in its multistore (OwnerTTL).
	owners ownerCache
}

// activeSession opens the shop's webservice, or returns nil when the shop
// is gone or uninstalled (the job then has nothing to do).
func (in *Integration) activeSession(ctx context.Context, id int64) (*stockbell.Shop, *session, error) {
	shop, err := in.Shops.FindShopByID(ctx, id)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, nil, nil
	} else if err != nil || !shop.Active() {
		return nil, nil, err
	}
	s, err := in.session(shop)
	return shop, s, err
}

// session opens the shop's sealed credentials. It returns EUNAUTHORIZED
// for a shop without them.
func (in *Integration) session(shop *stockbell.Shop) (*session, error) {
	if !shop.Active() || len(shop.SealedToken) == 0 {
		return nil, stockbell.Errorf(stockbell.EUNAUTHORIZED, "shop %s is not connected", shop.Domain)
	}
	raw, err := in.Sealer.Open(shop.ID, shop.SealedToken)
	if err != nil {
		return nil, fmt.Errorf("open credentials of %s: %w", shop.Domain, err)
	}
	var creds Credentials
	if err := json.Unmarshal(raw, &creds); err != nil {
		return nil, fmt.Errorf("credentials of %s: %w", shop.Domain, err)
	}
	return &session{client: in.Client, creds: creds}, nil
}

// fanOut queues, unique by arguments, one job per installed PrestaShop shop. A
// periodic job that finds the same job running is dropped, without
// asking it to run again (NoRerun): the running one reads as fresh a
// state.
func (in *Integration) fanOut(ctx context.Context, job func(shopID int64) stockbell.JobArgs) error {
	platform, status := stockbell.PlatformPrestaShop, stockbell.ShopInstalled
	const page = 100
	for offset := 0; ; offset += page {
		shops, _, err := in.Shops.FindShops(ctx, stockbell.ShopFilter{Platform: &platform, Status: &status, Offset: offset, Limit: page})
		if err != nil {
			return err
		}
		for _, shop := range shops {
			if err := in.Jobs.Insert(ctx, job(shop.ID), &stockbell.JobOptions{UniqueByArgs: true, NoRerun: true}); err != nil {
				return err
			}
		}
		if len(shops) < page {
			return nil
		}
	}
}
