// Package bigcommerce integrates BigCommerce stores: it verifies the
// webhooks BigCommerce delivers (the store's secret in a custom header,
// compared in constant time before parsing; the payload's producer must be
// that store; retries share the payload's hash), turns them into catalog
// and stock changes by reading the product and its levels again through
// the v3 Catalog and Inventory APIs (available_to_sell summed over
// locations, following the product's inventory_tracking), creates and
// re-creates the store's hooks, syncs and reconciles the catalog, hands
// new orders to conversion attribution, and confirms uninstall callbacks
// (a store is uninstalled once BigCommerce refuses its token).
//
// Every API call goes through Client, which honours BigCommerce's rate
// limit (X-Rate-Limit-Requests-Left, X-Rate-Limit-Time-Reset-Ms, 429).
// The install steps (token exchange, signed load callbacks) live in
// oauth; the routes in server/web. bigcommercetest plays BigCommerce in
// tests.
package bigcommerce
