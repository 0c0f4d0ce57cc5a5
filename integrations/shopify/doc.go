// Package shopify integrates Stockbell with Shopify: it verifies webhooks
// into receipts (WebhookVerifier, served by server/web), processes them in
// jobs (Integration.ProcessReceipt:
// inventory levels and items, products, uninstall and the mandatory
// compliance topics), calls the GraphQL Admin API with paging and
// cost-based throttling (AdminClient), and runs the catalog sync, webhook
// registration and inventory reconciliation jobs, refreshing expiring
// access tokens around its calls and exchanging non-expiring ones
// (MigrateToken). It works through the root
// package's interfaces only; the server wires it to the store, the queue
// and the oauth package's token sealer.
package shopify
