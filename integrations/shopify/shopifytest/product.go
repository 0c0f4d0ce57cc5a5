package shopifytest

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// PayloadVariants is the most variants the fake's product webhooks list:
// Shopify's products may have up to 2,048 variants since 2025, and the
// payload of a larger product may not list them all, so the fake plays
// the case Stockbell must handle by listing only the first ones.
const PayloadVariants = 100

// ProductUpdate is the products/update webhook Shopify sends for the
// shop's product as it is now: the REST product with at most
// PayloadVariants of its variants. It is nil for a product the shop does
// not have.
func (f *Fake) ProductUpdate(domain string, productID int64) *Webhook {
	return f.productWebhook(domain, "products/update", productID)
}

// ProductCreate is the products/create webhook Shopify sends for the
// shop's product, shaped as ProductUpdate's. It is nil for a product the
// shop does not have.
func (f *Fake) ProductCreate(domain string, productID int64) *Webhook {
	return f.productWebhook(domain, "products/create", productID)
}

func (f *Fake) productWebhook(domain, topic string, productID int64) *Webhook {
	var body []byte
	f.Do(domain, func(s *Shop) {
		for _, p := range s.Products {
			if p.ID == productID {
				body, _ = json.Marshal(productPayload(p))
			}
		}
	})
	if body == nil {
		return nil
	}
	return &Webhook{Topic: topic, Shop: domain, Body: body}
}

func productPayload(p *Product) map[string]any {
	out := map[string]any{"id": p.ID, "title": p.Title, "handle": p.Handle, "status": strings.ToLower(p.Status),
		"updated_at": p.UpdatedAt.UTC().Format(time.RFC3339), "published_at": nil, "images": []any{}, "image": nil,
		"admin_graphql_api_id": gid("Product", p.ID)}
	if p.Published {
		out["published_at"] = p.UpdatedAt.UTC().Format(time.RFC3339)
	}
	variants := []any{}
	for i, v := range p.Variants[:min(len(p.Variants), PayloadVariants)] {
		var management any
		if v.Tracked {
			management = "shopify"
		}
		variants = append(variants, map[string]any{"id": v.ID, "product_id": p.ID, "title": v.Title, "sku": v.SKU,
			"price": v.Price, "position": i + 1, "inventory_policy": strings.ToLower(v.Policy),
			"inventory_management": management, "inventory_item_id": v.InventoryItemID, "image_id": nil,
			"admin_graphql_api_id": gid("ProductVariant", v.ID)})
	}
	out["variants"] = variants
	// Every variant's id, as Shopify lists them beside the first
	// PayloadVariants in full (since 2024-04).
	gids := []any{}
	for _, v := range p.Variants {
		gids = append(gids, map[string]any{"admin_graphql_api_id": gid("ProductVariant", v.ID),
			"updated_at": p.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	out["variant_gids"] = gids
	return out
}

// productVariantsFirst is Product.variants' page size.
var productVariantsFirst = regexp.MustCompile(`\bvariants\(first:\s*(\d+)`)

// productByGID answers product(id:): the product with a page (after) of
// its variants, or nil for a product the shop does not have. Each variant
// is its ids, or, when the query asks for its inventory item, the whole
// variant as productVariants answers it.
func (f *Fake) productByGID(s *Shop, q string, vars map[string]any) any {
	asked := str(vars["id"])
	id, _ := strconv.ParseInt(asked[strings.LastIndex(asked, "/")+1:], 10, 64)
	for _, p := range s.Products {
		if p.ID != id || !strings.HasPrefix(asked, "gid://shopify/Product/") {
			continue
		}
		start, end, next := window(len(p.Variants), str(vars["after"]), min(firstArg(productVariantsFirst, q, 50), 250))
		nodes := []any{}
		for _, v := range p.Variants[start:end] {
			if strings.Contains(q, "inventoryItem{") {
				nodes = append(nodes, f.variantNode(s, q, v))
				continue
			}
			nodes = append(nodes, map[string]any{"id": gid("ProductVariant", v.ID), "legacyResourceId": strconv.FormatInt(v.ID, 10)})
		}
		return map[string]any{"id": asked, "legacyResourceId": strconv.FormatInt(p.ID, 10), "updatedAt": p.UpdatedAt.UTC().Format(time.RFC3339),
			"variants": map[string]any{"pageInfo": pageInfo(end, next), "nodes": nodes}}
	}
	return nil
}
