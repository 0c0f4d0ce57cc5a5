package magento

import (
	"strings"
)

// aclTitles are the ACL resources Stockbell's REST reads need, each as
// the integration's Resource Access tree (System › Extensions ›
// Integrations › API) shows it: the titles of the resource and of its
// parents in Magento's acl.xml files.
var aclTitles = map[string]string{
	// GET /V1/products, /V1/products/{sku}, /V1/configurable-products/{sku}/children
	"Magento_Catalog::products": "Catalog › Inventory › Products",
	// GET /V1/stockItems/{sku}
	"Magento_CatalogInventory::cataloginventory": "Stores › Settings › Configuration › Inventory Section",
	// GET /V1/inventory/source-items and /V1/inventory/sources (multi-source inventory)
	"Magento_InventoryApi::source": "Stores › Inventory › Sources",
}

// aclNames names the comma-separated resources of an ACL refusal as the
// tree shows them, each id beside its title ("Catalog › Inventory ›
// Products (Magento_Catalog::products)"); an id Stockbell does not know
// is named by itself. It returns the word to put before them too:
// "resource" or "resources".
func aclNames(resources string) (noun, names string) {
	var named []string
	for _, id := range strings.Split(resources, ",") {
		id = strings.TrimSpace(id)
		switch title := aclTitles[id]; {
		case id == "":
		case title == "":
			named = append(named, id)
		default:
			named = append(named, title+" ("+id+")")
		}
	}
	noun = "resource"
	if len(named) > 1 {
		noun = "resources"
	}
	return noun, strings.Join(named, ", ")
}
