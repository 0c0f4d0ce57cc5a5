package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	stockbell "github.com/stockbell/stockbell"
)

// shopJobsEraser is a queue that can erase a shop's jobs of one kind in
// the caller's transaction (jobs.Queue.EraseShopJobsTx).
type shopJobsEraser interface {
	EraseShopJobsTx(ctx context.Context, tx *sql.Tx, kind string, shopID int64,
		unowned func(args []byte) (bool, error), scrub func(args []byte) ([]byte, error)) (deleted, rewritten int, err error)
}

// shopJobKinds are the job kinds whose arguments name their shop
// (shop_id): erasing a shop erases its jobs of each. The kinds whose
// arguments name no shop are the periodic jobs (one for every shop) and
// ProcessReceiptJob, which names a receipt by id alone: the receipt goes
// with its shop, and its job then finds nothing to do. A test reads the
// root package and fails on a kind in neither list.
var shopJobKinds = []stockbell.JobArgs{
	stockbell.VariantStockChangedJob{}, stockbell.RestockWaitEndedJob{}, stockbell.RestockBatchJob{},
	stockbell.SendMessageJob{}, stockbell.SendConfirmationJob{}, stockbell.SendReportJob{},
	stockbell.WebhookDeliveryJob{}, stockbell.WebhookEndpointDisabledJob{},
	stockbell.FeedSyncJob{},
	stockbell.ShopifyCatalogSyncJob{}, stockbell.ShopifyRegisterWebhooksJob{}, stockbell.ShopifyReconcileJob{},
	stockbell.ShopifyTokenMigrationJob{}, stockbell.ShopifyProductVariantsJob{},
	stockbell.BigCommerceRegisterHooksJob{}, stockbell.BigCommerceCatalogSyncJob{}, stockbell.BigCommerceReconcileJob{},
	stockbell.BigCommerceConfirmUninstallJob{},
	stockbell.MagentoCatalogSyncJob{}, stockbell.MagentoReconcileJob{},
	stockbell.PrestaShopCatalogSyncJob{}, stockbell.PrestaShopReconcileJob{},
}

// eraseShopJobs erases the erased shop's jobs from the queue (see
// jobs.Queue.EraseShopJobsTx): the jobs that are not running are deleted,
// finished ones kept by the queue included; a running one loses its
// earlier errors, and an outbound webhook delivery its payload, which
// holds a subscriber's email and phone. A delivery queued before jobs
// carried their shop is known by the domain its payload names. Every
// other kind's arguments hold ids alone, and its handler finds its rows
// gone and does nothing.
func eraseShopJobs(ctx context.Context, tx *Tx, shopID int64, domain string) error {
	eraser, ok := tx.db.Queue.(shopJobsEraser)
	if !ok {
		return fmt.Errorf("store: the job queue cannot erase a shop's jobs")
	}
	delivery := stockbell.WebhookDeliveryJob{}.Kind()
	for _, args := range shopJobKinds {
		var unowned func([]byte) (bool, error)
		var scrub func([]byte) ([]byte, error)
		if args.Kind() == delivery {
			unowned = func(args []byte) (bool, error) { return deliveryNamesShop(args, domain) }
			scrub = withoutPayload
		}
		if _, _, err := eraser.EraseShopJobsTx(ctx, tx.sqlTx.Tx, args.Kind(), shopID, unowned, scrub); err != nil {
			return fmt.Errorf("store: erase the %s jobs of shop %d: %w", args.Kind(), shopID, err)
		}
	}
	return nil
}

// deliveryNamesShop reports whether an outbound webhook delivery's
// payload names the shop's domain. An empty payload (a running delivery
// of a shop erased before) names none.
func deliveryNamesShop(args []byte, domain string) (bool, error) {
	var job stockbell.WebhookDeliveryJob
	if err := json.Unmarshal(args, &job); err != nil || job.Payload == "" {
		return false, err
	}
	var payload any
	if err := json.Unmarshal([]byte(job.Payload), &payload); err != nil {
		return false, fmt.Errorf("webhook payload: %w", err)
	}
	return payloadShop(payload) == domain, nil
}

// withoutPayload returns a delivery's arguments with an empty payload,
// the rest as they were.
func withoutPayload(args []byte) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(args, &fields); err != nil {
		return nil, err
	}
	fields["payload"] = json.RawMessage(`""`)
	return json.Marshal(fields)
}
