package shopify

import (
	"context"
	"encoding/json"
	"fmt"

	stockbell "github.com/stockbell/stockbell"
)

// Shopify signs a webhook's body with the app's secret, the same for every
// shop, and never X-Shopify-Shop-Domain: a merchant who installs the app
// on a shop of their own receives signed products/create and
// products/update bodies about their own products and could send them
// again under another shop's domain. A product body does not name its
// shop, but Shopify's ids are global: a body can only name a product of
// the shop that was sent it. So a product the shop already holds is the
// shop's own, and one it does not hold is stored only once Shopify,
// asked with that shop's own token, answers that the shop has it
// (productOfShop). The inventory topics need no such check: an item the
// shop does not hold is read with the shop's token (refreshItem), and
// Shopify answers no item for another shop's; orders count only for
// variants the shop holds. Shopify's null answer for a product or an item
// is remembered for a while (foreign_ids.go), so the same body sent again
// and again costs the shop one query, and the questions about products
// and items new to the shop are rationed (owner_budget.go).

// productOfShopQuery asks whether the shop has a product: Shopify answers
// product null for an id of another shop's product. It costs one point.
const productOfShopQuery = `query StockbellProductOfShop($id:ID!){ product(id:$id){ id } }`

// productOfShop reports whether the product a products/create or update
// body names belongs to the shop: it holds the product already (no
// request), or Shopify, asked with the shop's token, answers it. A
// product Shopify answers null for is logged at info, naming the topic
// and the id, and the receipt is dropped; Shopify's null answer is
// remembered, and a product it answered null for lately is dropped
// without asking (askOnce, logged at debug). A question finding the
// shop's budget spent (askAboutNew) is errOwnerQuestionsSpent: the
// receipt is tried again later. Shopify's refusal is recorded in the
// sync log (RereadSource, as a webhook's read of an item is) and drops the
// receipt too; an answer without the product field is recorded there too
// and, as any other failure, returned, so the receipt is retried.
// When it asked, recovered is the read's success for the product's upsert
// to record (nil when it asked nothing).
func (in *Integration) productOfShop(ctx context.Context, shop *stockbell.Shop, topic, productID string) (ok bool, recovered *stockbell.SyncReport, err error) {
	if held, err := in.Catalog.HoldsProduct(ctx, shop.ID, productID); held || err != nil {
		return held, nil, err
	}
	dropped, release, err := in.askAboutNew(ctx, shop, foreignProduct, productID, "topic", topic)
	if dropped || err != nil {
		return false, nil, err
	}
	defer release()
	return in.askProductOfShop(ctx, shop, topic, productID)
}

// askProductOfShop asks Shopify, with the shop's token, whether the shop
// has the product (productOfShop).
func (in *Integration) askProductOfShop(ctx context.Context, shop *stockbell.Shop, topic, productID string) (bool, *stockbell.SyncReport, error) {
	started := in.Clock.Now()
	sess, err := in.session(shop)
	if err != nil {
		return false, nil, err
	}
	var data struct {
		Product json.RawMessage `json:"product"`
	}
	err = sess.query(ctx, productOfShopQuery, map[string]any{"id": gid("Product", productID)}, &data)
	if stopped, err2 := in.stopIfRefused(ctx, sess, RereadSource, started, err); stopped {
		return false, nil, err2
	} else if err != nil {
		return false, nil, fmt.Errorf("product %s of %s: %w", productID, shop.Domain, err)
	}
	switch answerOf(data.Product) {
	case fieldAbsent:
		err := fieldMissing("the question whether the shop has product "+productID, "product")
		return false, nil, in.recordFieldMissing(ctx, shop, RereadSource, started, err)
	case fieldNull:
		in.rememberForeign(shop, foreignProduct, productID)
		in.Logger.InfoContext(ctx, "shopify product webhook dropped: Shopify has no such product in the shop",
			"topic", topic, "shop", shop.Domain, "product", productID)
		return false, nil, nil
	}
	return true, stockbell.RecoveryReport(shop.ID, RereadSource, started, in.Clock.Now(), 1), nil
}
