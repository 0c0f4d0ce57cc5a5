package magento

import (
	"context"
	"errors"

	stockbell "github.com/stockbell/stockbell"
)

// revokedReason is what the merchant reads in the sync log when Magento
// stops accepting Stockbell's credentials.
const revokedReason = "Magento refused Stockbell's credentials (401): the integration was deactivated or deleted in Magento. " +
	"Stockbell has stopped reading the store and sending its notifications; activate the integration again in Magento " +
	"(System › Extensions › Integrations) to resume."

// stopIfRevoked handles a 401 from the OAuth check of the store's REST API
// (EUNAUTHORIZED; a 401 naming ACL resources is stopIfForbidden's): the
// merchant deleted or reauthorized the integration, so every call will fail the
// same way and retrying only keeps the job failing. The store is
// uninstalled instead, as an app uninstall does on other platforms (all
// sending stops, the credentials are erased; activating again reinstalls
// it), and the reason is recorded in the shop's sync log. It reports
// whether err was such a refusal; other errors are left to the caller.
// The store is uninstalled only while it holds the refused credentials:
// reauthorizing the integration revokes its token and activates it again at
// once, and a store activated again while a job held the old credentials
// keeps its new install (the refusal is then left to the caller, and the
// job is retried with the new credentials).
func (in *Integration) stopIfRevoked(ctx context.Context, shop *stockbell.Shop, source string, err error) (bool, error) {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
		return false, nil
	}
	uninstalled, err := stockbell.UninstallRefusedShop(ctx, in.Shops, shop)
	if err != nil {
		return true, err
	} else if !uninstalled {
		in.Logger.InfoContext(ctx, "magento refused credentials the store no longer holds (activated again meanwhile); retried with its new ones",
			"store", shop.Domain, "err", apiErr)
		return false, nil
	}
	now := in.Clock.Now()
	report := stockbell.SyncReport{ShopID: shop.ID, Source: source, StartedAt: now, FinishedAt: now, Failure: revokedReason}
	if err := in.SyncLog.RecordSync(ctx, report); err != nil {
		return true, err
	}
	in.Logger.WarnContext(ctx, "magento integration revoked: store uninstalled", "store", shop.Domain, "err", apiErr)
	return true, nil
}
