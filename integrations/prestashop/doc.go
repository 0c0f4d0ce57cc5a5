// Package prestashop integrates PrestaShop shops (8 and 9). PrestaShop
// sends no inventory webhooks by itself: the Stockbell module (module/)
// posts each stock change, signed with the shop's module secret
// (stockbell.VerifyModulePost), and Stockbell reads the shop's webservice
// to sync the catalog and to reconcile what a missed post left behind.
//
// Connect checks a shop URL and webservice key against the webservice and
// installs the shop with its key and a new module secret, both sealed for
// it. WebhookVerifier checks the module's posts to /webhooks/prestashop;
// Integration processes them and runs the catalog sync and
// reconciliation jobs. Every webservice call goes through Client (basic
// auth, the key as user name; JSON answers whose numbers may be strings;
// paging by id: filter[id]=>[N], sort=[id_ASC]; redirects followed on the
// shop's host only). In a multistore, stock is read from the rows the
// connected shop sells from (stockOwner, kept per shop for OwnerTTL).
// Prices are those the product page asks a visitor, tax included, which
// the webservice computes in the listings themselves (priceQuery).
// prestashoptest
// plays a shop, or a multistore installation, in tests.
package prestashop
