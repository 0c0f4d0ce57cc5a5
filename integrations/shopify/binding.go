package shopify

import (
	"encoding/json"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
)

// Shopify signs a webhook's body, never its headers: X-Shopify-Topic and
// X-Shopify-Shop-Domain could be changed on a captured webhook without
// breaking the signature. So a body must fit the topic its headers claim
// (bindTopic), and a body that names its shop must name the shop of the
// headers (the receipt's PayloadDomain, compared by server/web). Otherwise
// a customers/redact body replayed as shop/redact would erase a shop, a
// products/update body replayed as products/delete would delete a product,
// an inventory_levels/update body replayed as a disconnect would drop a
// location's stock,
// and one shop's app/uninstalled replayed for another would uninstall it.

// topicShapes are what each topic's body must and must not carry (top-level
// keys), where another topic's body could otherwise pass for it.
var topicShapes = map[string]struct {
	gidType  string   // the admin_graphql_api_id type, when the body has one
	only     []string // when set, the only keys allowed
	required []string
	excluded []string
	// namesShop: the body names its shop, which must be the headers' shop.
	namesShop bool
}{
	// A connect carries the level's quantity and a disconnect none: an
	// update's body replayed as a disconnect would drop a location's stock,
	// and a disconnect's replayed as a connect would bring a location back.
	// The quantity is null for an item Shopify does not track: the key is
	// there all the same, so such a body is no disconnect's either.
	TopicInventoryLevelsUpdate:     {gidType: "InventoryLevel"},
	TopicInventoryLevelsConnect:    {gidType: "InventoryLevel", required: []string{"available"}},
	TopicInventoryLevelsDisconnect: {gidType: "InventoryLevel", excluded: []string{"available"}},
	TopicInventoryItemsUpdate:      {gidType: "InventoryItem", excluded: []string{"variants", "title", "location_id"}},
	TopicProductsCreate:            {gidType: "Product", required: []string{"variants"}},
	TopicProductsUpdate:            {gidType: "Product", required: []string{"variants"}},
	TopicProductsDelete:            {gidType: "Product", only: []string{"id", "admin_graphql_api_id"}},
	TopicOrdersCreate:              {gidType: "Order", required: []string{"line_items"}},
	TopicAppUninstalled:            {required: []string{"myshopify_domain"}, namesShop: true},
	TopicShopRedact:                {only: []string{"shop_id", "shop_domain"}, required: []string{"shop_id", "shop_domain"}, namesShop: true},
	TopicCustomersRedact: {required: []string{"shop_domain", "customer", "orders_to_redact"},
		excluded: []string{"data_request", "orders_requested"}, namesShop: true},
	TopicCustomersDataRequest: {required: []string{"shop_domain", "customer", "data_request", "orders_requested"},
		excluded: []string{"orders_to_redact"}, namesShop: true},
}

// bindTopic checks that a parsed webhook's body has its topic's shape and
// returns the shop domain the body names ("" for a topic whose body names
// none). It returns EINVALID naming the field that does not fit.
func bindTopic(hook *Webhook, body []byte) (string, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(body, &keys); err != nil {
		return "", stockbell.FieldErrorf("body", "The %s payload is not a JSON object.", hook.Topic)
	}
	shape := topicShapes[hook.Topic]
	if raw, ok := keys["admin_graphql_api_id"]; ok {
		var gid string
		json.Unmarshal(raw, &gid)
		if shape.gidType == "" || !strings.HasPrefix(gid, "gid://shopify/"+shape.gidType+"/") {
			return "", stockbell.FieldErrorf("admin_graphql_api_id", "A %s payload does not describe a %q.", hook.Topic, gid)
		}
	}
	for _, key := range shape.required {
		if _, ok := keys[key]; !ok {
			return "", stockbell.FieldErrorf(key, "A %s payload carries %s.", hook.Topic, key)
		}
	}
	for key := range keys {
		if shape.only != nil && !slices.Contains(shape.only, key) || slices.Contains(shape.excluded, key) {
			return "", stockbell.FieldErrorf(key, "A %s payload does not carry %s: this body belongs to another topic.", hook.Topic, key)
		}
	}
	domain := payloadDomain(hook)
	if shape.namesShop && !stockbell.ValidShopifyDomain(domain) {
		return "", stockbell.FieldErrorf("shop_domain", "A %s payload names its shop; this one names %q.", hook.Topic, domain)
	}
	return domain, nil
}

// payloadDomain is the shop a body names: the compliance topics' shop_domain
// and app/uninstalled's myshopify_domain.
func payloadDomain(hook *Webhook) string {
	switch {
	case hook.Shop != nil:
		return hook.Shop.MyshopifyDomain
	case hook.ShopRedact != nil:
		return hook.ShopRedact.ShopDomain
	case hook.Customer != nil:
		return hook.Customer.ShopDomain
	}
	return ""
}
