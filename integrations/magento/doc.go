// Package magento integrates Magento 2 stores (Open Source and Adobe
// Commerce 2.4). Magento sends no inventory webhooks of its own: the
// Stockbell module (module/, a Magento 2 module) posts each saved stock
// item and source item, signed with the shop's module secret
// (stockbell.VerifyModulePost), and Stockbell reconciles by reading the
// REST API.
//
// Activation: Magento posts the integration's consumer key and secret,
// the store's base URL and a verifier; Activate runs the OAuth 1.0a token
// exchange (github.com/dghubble/oauth1; HMAC-SHA256, or HMAC-SHA1 where the
// store refuses it), seals the credentials and installs the shop. Identity
// serves the identity link Magento opens next. Every REST call is OAuth
// 1.0a-signed: /V1/products with searchCriteria paging (a configurable
// product's children are its variants; a variant's id is its SKU),
// /V1/stockItems/{sku} and, with multi-source inventory,
// /V1/inventory/source-items (one level per source). The routes live in
// server/web; magentotest plays Magento in tests.
package magento
