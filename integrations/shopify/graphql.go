package shopify

import (
	"encoding/json"
	"strings"
)

// The GraphQL documents Stockbell sends, pinned to APIVersion. Page sizes
// keep each query's requested cost well under the 1000-point single-query
// limit: about 1 + 25 × (variant, product, item, 10 levels) ≈ 400 points.
const (
	variantFields = `id legacyResourceId title sku price inventoryPolicy inventoryQuantity image{ url }
  product{ id legacyResourceId handle title status publishedAt onlineStoreUrl featuredImage{ url } updatedAt }`
	levelFields = `pageInfo{ hasNextPage endCursor } nodes{ location{ id } quantities(names:["available"]){ name quantity } updatedAt }`

	// variantRecordFields is one variant as the catalog sync reads it: with
	// its product and its inventory item's first 10 levels, about 16
	// points, so 25 make a page.
	variantRecordFields = variantFields + ` inventoryItem{ id legacyResourceId tracked inventoryLevels(first:10){ ` + levelFields + ` } }`

	// variantsQuery pages through every variant with its product and levels.
	variantsQuery = `query StockbellVariants($after:String){ productVariants(first:25, after:$after){
  pageInfo{ hasNextPage endCursor }
  nodes{ ` + variantRecordFields + ` } } }`

	// itemVariantsFields pages the variants an inventory item backs:
	// InventoryItem.variants, which replaced the single variant field
	// (deprecated since 2026-01) because several variants may share one
	// item, as a combined listing's parent and child variants do.
	itemVariantsFields = `pageInfo{ hasNextPage endCursor } nodes{ ` + variantFields + ` }`

	// inventoryItemQuery resolves one inventory item with its variants and levels.
	inventoryItemQuery = `query StockbellInventoryItem($id:ID!){ inventoryItem(id:$id){
  id legacyResourceId tracked variants(first:10){ ` + itemVariantsFields + ` }
  inventoryLevels(first:50){ ` + levelFields + ` } } }`

	// itemLevelsQuery pages an inventory item's levels past the first page.
	itemLevelsQuery = `query StockbellItemLevels($id:ID!, $after:String){ inventoryItem(id:$id){
  id inventoryLevels(first:50, after:$after){ ` + levelFields + ` } } }`

	// itemVariantsQuery pages an inventory item's variants past the first page.
	itemVariantsQuery = `query StockbellItemVariants($id:ID!, $variantsAfter:String){ inventoryItem(id:$id){
  id variants(first:10, after:$variantsAfter){ ` + itemVariantsFields + ` } } }`

	// inventoryItemsQuery re-reads several inventory items' levels at once:
	// their first 10 levels each (an item with more pages the rest with
	// itemLevelsQuery). Shopify charges nodes(ids:) one item per id, and
	// refuses a query that requests more than 1,000 points: 25 items with
	// 10 levels each (a level, its location and its quantities) request
	// about 825, where 50 levels each would request 3,825.
	inventoryItemsQuery = `query StockbellInventoryItems($ids:[ID!]!){ nodes(ids:$ids){ ... on InventoryItem {
  id legacyResourceId tracked inventoryLevels(first:10){ ` + levelFields + ` } } } }`

	// webhookSubscriptionsQuery lists the shop's webhooks and, in the same
	// call, the shop's name, primary domain (the storefront origin the
	// storefront API accepts besides the myshopify.com domain) and
	// currencyCode (the ISO 4217 code of the currency the shop sells in,
	// the currency of its variants' prices), and email, the address
	// Shopify writes to the shop's owner at (subscriptions).
	webhookSubscriptionsQuery = `query StockbellWebhooks{ shop{ name primaryDomain{ host } currencyCode email }
  currentAppInstallation{ id metafield(namespace:"stockbell", key:"server_url"){ value } }
  webhookSubscriptions(first:100){ nodes{ id topic uri } } }`

	// appURLMutation records this server's URL as an app-data metafield of
	// the installation, which the theme app extension's app embed reads
	// (app.metafields.stockbell.server_url) when its own setting is empty.
	appURLMutation = `mutation StockbellAppURL($metafields:[MetafieldsSetInput!]!){
  metafieldsSet(metafields:$metafields){ metafields{ key value } userErrors{ field message } } }`

	webhookSubscriptionCreateMutation = `mutation StockbellWebhookCreate($topic:WebhookSubscriptionTopic!, $webhookSubscription:WebhookSubscriptionInput!){
  webhookSubscriptionCreate(topic:$topic, webhookSubscription:$webhookSubscription){
    webhookSubscription{ id topic uri } userErrors{ field message } } }`
)

type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

type imageRef struct {
	URL string `json:"url"`
}

type gqlProduct struct {
	ID               string    `json:"id"`
	LegacyResourceID string    `json:"legacyResourceId"`
	Handle           string    `json:"handle"`
	Title            string    `json:"title"`
	Status           string    `json:"status"`
	PublishedAt      *string   `json:"publishedAt"`
	OnlineStoreURL   *string   `json:"onlineStoreUrl"`
	FeaturedImage    *imageRef `json:"featuredImage"`
	UpdatedAt        string    `json:"updatedAt"`
}

type gqlLevels struct {
	PageInfo pageInfo `json:"pageInfo"`
	Nodes    []struct {
		Location struct {
			ID string `json:"id"`
		} `json:"location"`
		Quantities []struct {
			Name     string `json:"name"`
			Quantity int    `json:"quantity"`
		} `json:"quantities"`
		// UpdatedAt is Shopify's time of the level's last change (any of
		// its quantities), never later than the read: it orders the level
		// against inventory_levels/update webhooks' updated_at.
		UpdatedAt string `json:"updatedAt"`
	} `json:"nodes"`
}

type gqlItem struct {
	ID               string      `json:"id"`
	LegacyResourceID string      `json:"legacyResourceId"`
	Tracked          bool        `json:"tracked"`
	Variants         gqlVariants `json:"variants"`
	InventoryLevels  gqlLevels   `json:"inventoryLevels"`
}

// gqlVariants is a page of the variants an inventory item backs.
type gqlVariants struct {
	PageInfo pageInfo     `json:"pageInfo"`
	Nodes    []gqlVariant `json:"nodes"`
}

type gqlVariant struct {
	ID               string     `json:"id"`
	LegacyResourceID string     `json:"legacyResourceId"`
	Title            string     `json:"title"`
	SKU              string     `json:"sku"`
	Price            string     `json:"price"`
	InventoryPolicy  string     `json:"inventoryPolicy"`
	Image            *imageRef  `json:"image"`
	Product          gqlProduct `json:"product"`
	// InventoryItem is kept raw for recordsOf to tell an answer without
	// the field from one with it (answerOf).
	InventoryItem json.RawMessage `json:"inventoryItem"`
}

// legacyID returns the numeric id at the end of a Shopify global id
// (gid://shopify/Location/24826418 → "24826418"), kept as a decimal string.
func legacyID(gid string) string {
	if i := strings.LastIndexByte(gid, '/'); i >= 0 {
		gid = gid[i+1:]
	}
	id, _, _ := strings.Cut(gid, "?")
	return id
}

// gid returns Shopify's global id of a resource.
func gid(resource, id string) string { return "gid://shopify/" + resource + "/" + id }
