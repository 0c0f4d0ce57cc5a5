package prestashoptest

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// This file plays a multistore installation as PrestaShop's webservice
// sees it. Each request runs for the shops of the group id_shop_group (or
// its old name id_group_shop) names, else for the shop the id_shop
// parameter names ("all" is every shop), else for the shop whose URL the
// request was sent to (the longest physical and virtual URI that starts
// the path), as WebserviceRequest::groupShopExists, shopExists and
// Shop::initialize choose them. A list of
// stock_availables holds only the rows of the context's shops, as
// ObjectModel::getWebserviceObjectList restricts a table associated by
// id_shop: id_shop is one of them, or id_shop is 0 and id_shop_group is
// one of their groups (whether or not that group shares stock).
// StockAvailable::addSqlShopParams writes a group's shared stock as
// id_shop 0 with the group's id, and a shop's own stock as its id with
// id_shop_group 0.

// ShopGroup is a group of shops; ShareStock has its shops sell from one
// stock (share_stock), kept in the group's rows.
type ShopGroup struct {
	ID         int64
	Name       string
	ShareStock bool
}

// Storefront is one shop of the installation: its id, its group, and the
// folder (virtual URI, without slashes) its URL adds to the installation's
// ("" for the shop at the installation's own URL).
type Storefront struct {
	ID, GroupID int64
	Name        string
	Folder      string
}

// StockOwner is whose stock a stock_availables row is: a shop's own
// (Shop, Group 0) or a group's shared stock (Shop 0, Group).
type StockOwner struct{ Shop, Group int64 }

// defaultStorefronts is a single-shop installation: shop 1 in group 1,
// which does not share stock.
var (
	defaultStorefronts = []Storefront{{ID: 1, GroupID: 1, Name: "Default"}}
	defaultGroups      = []ShopGroup{{ID: 1, Name: "Default"}}
)

func (s *Shop) storefronts() []Storefront {
	if len(s.Storefronts) == 0 {
		return defaultStorefronts
	}
	return s.Storefronts
}

func (s *Shop) groups() []ShopGroup {
	if len(s.Groups) == 0 {
		return defaultGroups
	}
	return s.Groups
}

func (s *Shop) group(id int64) (ShopGroup, bool) {
	i := slices.IndexFunc(s.groups(), func(g ShopGroup) bool { return g.ID == id })
	if i < 0 {
		return ShopGroup{}, false
	}
	return s.groups()[i], true
}

// owners are the stock owners PrestaShop keeps rows for: each group
// sharing stock, and each shop of a group that does not. An owner a
// product or combination was given a quantity for beyond those (a row
// PrestaShop left behind, a shop's own from before its group shared
// stock) comes first: its rows are older, so their ids are lower.
func (s *Shop) owners() []StockOwner {
	var current, left []StockOwner
	for _, sf := range s.storefronts() {
		g, _ := s.group(sf.GroupID)
		owner := StockOwner{Shop: sf.ID}
		if g.ShareStock {
			owner = StockOwner{Group: g.ID}
		}
		if !slices.Contains(current, owner) {
			current = append(current, owner)
		}
	}
	for _, p := range s.Products {
		left = appendOwners(left, current, p.Stocks)
		for _, c := range p.Combinations {
			left = appendOwners(left, current, c.Stocks)
		}
	}
	slices.SortFunc(left, func(a, b StockOwner) int { return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Shop, b.Shop)) })
	return append(left, current...)
}

func appendOwners(out, current []StockOwner, stocks map[StockOwner]int) []StockOwner {
	for owner := range stocks {
		if !slices.Contains(out, owner) && !slices.Contains(current, owner) {
			out = append(out, owner)
		}
	}
	return out
}

// quantityOf is a product's or combination's quantity for owner: its
// Stocks entry, else Quantity.
func quantityOf(quantity int, stocks map[StockOwner]int, owner StockOwner) int {
	if q, ok := stocks[owner]; ok {
		return q
	}
	return quantity
}

// contextShops are the shops a request runs for (see the file comment).
// An id_shop naming no shop is redirected (301) to the same request at the
// default shop's URL without it, as Shop::initialize does before the
// webservice runs; an id_shop_group with no shop is refused as
// WebserviceRequest refuses it.
func (f *Fake) contextShops(w http.ResponseWriter, r *http.Request, resource string) ([]Storefront, bool) {
	all, q := f.shop.storefronts(), r.URL.Query()
	named := all
	if v := q.Get("id_shop"); v != "" && v != "all" {
		id, _ := strconv.ParseInt(v, 10, 64)
		i := slices.IndexFunc(all, func(sf Storefront) bool { return sf.ID == id })
		if i < 0 {
			q.Del("id_shop")
			http.Redirect(w, r, f.basePath(all[0])+"/api/"+resource+"?"+q.Encode(), http.StatusMovedPermanently)
			return nil, false
		}
		named = all[i : i+1]
	}
	if v := cmp.Or(q.Get("id_shop_group"), q.Get("id_group_shop")); v != "" {
		return f.groupShops(w, v)
	}
	if q.Get("id_shop") != "" {
		return named, true
	}
	sf, _ := f.storefrontAt(r.URL.Path)
	return []Storefront{sf}, true
}

// groupShops are the shops of the group id names (groupShopExists).
func (f *Fake) groupShops(w http.ResponseWriter, id string) ([]Storefront, bool) {
	var shops []Storefront
	for _, sf := range f.shop.storefronts() {
		if str(sf.GroupID) == id {
			shops = append(shops, sf)
		}
	}
	if len(shops) == 0 {
		writeError(w, http.StatusInternalServerError, 999, "This shop group doesn't have shops")
	}
	return shops, len(shops) > 0
}

// storefrontAt is the shop whose URL path starts path (the longest
// folder first), and the resource path after its /api/; the first shop
// for a path under none.
func (f *Fake) storefrontAt(path string) (Storefront, string) {
	all := f.shop.storefronts()
	sorted := slices.Clone(all)
	slices.SortStableFunc(sorted, func(a, b Storefront) int { return cmp.Compare(len(b.Folder), len(a.Folder)) })
	for _, sf := range sorted {
		if rest, ok := strings.CutPrefix(path, f.basePath(sf)+"/api/"); ok {
			return sf, rest
		}
	}
	return all[0], ""
}

// basePath is a shop's URL path: the installation's folder, then its own.
func (f *Fake) basePath(sf Storefront) string {
	if sf.Folder == "" {
		return f.Prefix
	}
	return f.Prefix + "/" + sf.Folder
}

// ShopURL is the base URL of the shop with id (the first shop's is URL).
func (f *Fake) ShopURL(id int64) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, sf := range f.shop.storefronts() {
		if sf.ID == id {
			return f.srv.URL + f.basePath(sf)
		}
	}
	return ""
}

// visibleStock keeps the stock rows of the context's shops and of their
// groups.
func (f *Fake) visibleStock(rows []row, shops []Storefront) []row {
	var kept []row
	for _, r := range rows {
		owner := StockOwner{Shop: int64(number(text(r["id_shop"]))), Group: int64(number(text(r["id_shop_group"])))}
		if slices.ContainsFunc(shops, func(sf Storefront) bool {
			return owner.Shop == sf.ID || (owner.Shop == 0 && owner.Group == sf.GroupID)
		}) {
			kept = append(kept, r)
		}
	}
	return kept
}

// shopRows are the rows of shops, shop_groups and shop_urls.
func (f *Fake) shopRows(resource, host string) []row {
	var out []row
	switch resource {
	case "shops":
		for _, sf := range f.shop.storefronts() {
			out = append(out, row{"id": sf.ID, "id_shop_group": str(sf.GroupID), "id_category": "2", "active": "1", "deleted": "0",
				"name": sf.Name, "theme_name": "classic"})
		}
	case "shop_groups":
		for _, g := range f.shop.groups() {
			out = append(out, row{"id": g.ID, "name": g.Name, "color": "", "share_customer": "0", "share_order": "0",
				"share_stock": boolStr(g.ShareStock), "active": "1", "deleted": "0"})
		}
	case "shop_urls":
		for _, sf := range f.shop.storefronts() {
			virtual := ""
			if sf.Folder != "" {
				virtual = sf.Folder + "/"
			}
			out = append(out, row{"id": sf.ID, "id_shop": str(sf.ID), "active": "1", "main": "1", "domain": host, "domain_ssl": host,
				"physical_uri": f.Prefix + "/", "virtual_uri": virtual})
		}
	}
	return out
}
