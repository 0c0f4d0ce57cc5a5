package magento

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	stockbell "github.com/stockbell/stockbell"
)

// Integration holds what Magento's activation, webhook processing and jobs
// need. Its methods are the activation steps (Activate, Identity) and the
// job handlers the server registers: ProcessReceipt (through the webhook
// registry), SyncCatalog and Reconcile.
type Integration struct {
	Shops       stockbell.ShopService
	Catalog     stockbell.CatalogService
	Secrets     stockbell.WebhookSecretService
	Activations stockbell.MagentoActivationService
	// SyncLog records catalog syncs and the SKUs posts name that the
	// catalog does not know.
	SyncLog stockbell.SyncLogService
	// Jobs queues the per-store jobs of a fan-out and catalog syncs.
	Jobs   stockbell.JobInserter
	Sealer stockbell.TokenSealer
	Client *Client
	Clock  stockbell.Clock
	Logger *slog.Logger
	// AllowHTTP accepts store base URLs without TLS (development).
	AllowHTTP bool
}

// credentials opens the shop's sealed credentials. It returns
// EUNAUTHORIZED for a shop without them (not installed).
func (in *Integration) credentials(shop *stockbell.Shop) (Credentials, error) {
	var cred Credentials
	if !shop.Active() || len(shop.SealedToken) == 0 {
		return cred, stockbell.Errorf(stockbell.EUNAUTHORIZED, "Magento store %s is not installed", shop.Domain)
	}
	raw, err := in.Sealer.Open(shop.ID, shop.SealedToken)
	if err != nil {
		return cred, fmt.Errorf("open credentials of %s: %w", shop.Domain, err)
	}
	if err := json.Unmarshal(raw, &cred); err != nil {
		return cred, fmt.Errorf("read credentials of %s: %w", shop.Domain, err)
	}
	return cred, nil
}

// activeShop returns the shop with its credentials, or a nil shop when it
// is gone or uninstalled (a job then has nothing to do).
func (in *Integration) activeShop(ctx context.Context, id int64) (*stockbell.Shop, Credentials, error) {
	shop, err := in.Shops.FindShopByID(ctx, id)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil, Credentials{}, nil
	} else if err != nil || !shop.Active() {
		return nil, Credentials{}, err
	}
	cred, err := in.credentials(shop)
	return shop, cred, err
}

// fanOut queues, unique by arguments, one job per installed Magento store,
// or none for a store whose job returns nil. A periodic job that finds
// the same job running is dropped, without asking it to run again
// (NoRerun): the running one reads as fresh a state.
func (in *Integration) fanOut(ctx context.Context, job func(ctx context.Context, shop *stockbell.Shop) (stockbell.JobArgs, error)) error {
	platform, status := stockbell.PlatformMagento, stockbell.ShopInstalled
	for offset := 0; ; offset += 100 {
		shops, _, err := in.Shops.FindShops(ctx, stockbell.ShopFilter{Platform: &platform, Status: &status, Offset: offset, Limit: 100})
		if err != nil {
			return err
		}
		for _, shop := range shops {
			args, err := job(ctx, shop)
			if err == nil && args != nil {
				err = in.Jobs.Insert(ctx, args, &stockbell.JobOptions{UniqueByArgs: true, NoRerun: true})
			}
			if err != nil {
				return err
			}
		}
		if len(shops) < 100 {
			return nil
		}
	}
}
