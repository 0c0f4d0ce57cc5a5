package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	stockbell "github.com/stockbell/stockbell"
)

// ConfirmUninstall confirms an uninstall callback with BigCommerce and
// uninstalls the store only if BigCommerce refuses the access token it
// holds (401), as it does once the app is uninstalled. The callback's
// signed payload stays valid for a day, so a captured or late one can
// arrive while the app is installed: BigCommerce then accepts the token,
// and ConfirmUninstall changes nothing and reports false. The store is
// uninstalled only while it still holds the refused token, so one installed
// again while BigCommerce was asked keeps its new install (false too). An
// error means BigCommerce could not be asked (away, throttled, another
// failure): nothing is changed.
func (in *Integration) ConfirmUninstall(ctx context.Context, shop *stockbell.Shop) (bool, error) {
	refused, err := in.tokenRefused(ctx, shop)
	if err != nil || !refused {
		return false, err
	}
	uninstalled, err := stockbell.UninstallRefusedShop(ctx, in.Shops, shop)
	if uninstalled {
		in.Logger.InfoContext(ctx, "shop uninstalled", "platform", "bigcommerce", "shop", shop.Domain, "shop_id", shop.ID)
	} else if err == nil {
		in.Logger.InfoContext(ctx, "bigcommerce uninstall not applied: the store was installed again or erased meanwhile",
			"shop", shop.Domain, "shop_id", shop.ID)
	}
	return uninstalled, err
}

// RetryUninstall serves BigCommerceConfirmUninstallJob: an uninstall
// callback BigCommerce's API could not confirm when it came (away, or
// still accepting the token) is confirmed now (ConfirmUninstall); an
// error, BigCommerce still accepting the token included, retries the job
// later, until its attempts run out.
func (in *Integration) RetryUninstall(ctx context.Context, job stockbell.BigCommerceConfirmUninstallJob) error {
	shop, err := in.Shops.FindShopByID(ctx, job.ShopID)
	if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if !shop.Active() {
		return nil
	}
	uninstalled, err := in.ConfirmUninstall(ctx, shop)
	if err == nil && !uninstalled {
		// Asked again by the job's retries until its attempts run out: the
		// token may be refused a moment after the callback came.
		return fmt.Errorf("BigCommerce still accepts the access token of %s (or it was installed again): the app looks installed", shop.Domain)
	}
	return err
}

// tokenRefused asks BigCommerce whether it still accepts the store's
// access token, with one read of the store's information (GET /v2/store,
// in the scopes the app asks for), tried once: its callers retry. Only a
// 401 is a refusal; a 403 accepts the token (it lacks the scope: the app
// is installed); any other failure is an error.
func (in *Integration) tokenRefused(ctx context.Context, shop *stockbell.Shop) (bool, error) {
	s, err := in.session(shop)
	if stockbell.ErrorCode(err) == stockbell.EUNAUTHORIZED {
		return true, nil // no token to ask with
	} else if err != nil {
		return false, err
	}
	k := s.call(http.MethodGet, "/v2/store", nil, nil)
	k.tries = 1
	err = s.client.do(ctx, k, nil)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized:
		return true, nil
	case stockbell.ErrorCode(err) == stockbell.EFORBIDDEN:
		return false, nil // a 403 is BigCommerce's answer to a token it accepts without the scope
	case err != nil:
		return false, fmt.Errorf("confirm the uninstall of %s with BigCommerce: %w", shop.Domain, err)
	}
	return false, nil
}
