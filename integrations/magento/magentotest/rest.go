package magentotest

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// serveREST answers the signed REST calls Stockbell makes.
func (f *Fake) serveREST(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	slow := f.Slow
	f.mu.Unlock()
	time.Sleep(slow)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.accessToken == "" {
		restError(w, http.StatusUnauthorized, "Specified token does not exist")
		return
	}
	if _, problem := f.check(r, f.accessToken, f.accessSecret); problem != "" {
		restError(w, http.StatusUnauthorized, problem)
		return
	}
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/rest/V1")
	f.Requests[path]++
	if f.Unavailable != 0 {
		http.Error(w, http.StatusText(f.Unavailable), f.Unavailable)
		return
	}
	if f.refused(w, path) {
		return
	}
	for _, prefix := range f.Unrouted {
		if strings.HasPrefix(path, prefix) {
			restError(w, http.StatusNotFound, "Request does not match any route.")
			return
		}
	}
	switch {
	case path == "/products":
		f.productPage(w, r.URL.Query())
	case path == "/directory/currency":
		code := cmp.Or(f.BaseCurrency, "USD")
		writeJSON(w, http.StatusOK, map[string]any{"base_currency_code": code, "default_display_currency_code": code,
			"available_currency_codes": []string{code}, "exchange_rates": []any{map[string]any{"currency_to": code, "rate": 1}}})
	case path == "/inventory/source-items" && f.MSI:
		f.sourceItems(w, r.URL.Query())
	case path == "/inventory/sources" && f.MSI:
		f.sources(w, r.URL.Query())
	case strings.HasPrefix(path, "/products/"):
		f.product(w, unescape(strings.TrimPrefix(path, "/products/")))
	case strings.HasPrefix(path, "/stockItems/"):
		f.stockItem(w, unescape(strings.TrimPrefix(path, "/stockItems/")))
	case strings.HasPrefix(path, "/configurable-products/") && strings.HasSuffix(path, "/options/all"):
		f.optionsOf(w, unescape(strings.TrimSuffix(strings.TrimPrefix(path, "/configurable-products/"), "/options/all")))
	case strings.HasPrefix(path, "/configurable-products/") && strings.HasSuffix(path, "/children"):
		f.children(w, unescape(strings.TrimSuffix(strings.TrimPrefix(path, "/configurable-products/"), "/children")))
	default:
		restError(w, http.StatusNotFound, "Request does not match any route.")
	}
}

// refused answers a request for a path Denied or Forbidden names.
func (f *Fake) refused(w http.ResponseWriter, path string) bool {
	for prefix, resource := range f.Denied {
		if strings.HasPrefix(path, prefix) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "The consumer isn't authorized to access %resources.",
				"parameters": map[string]any{"resources": resource}})
			return true
		}
	}
	for prefix, message := range f.Forbidden {
		if strings.HasPrefix(path, prefix) {
			restError(w, http.StatusForbidden, message)
			return true
		}
	}
	return false
}

func unescape(s string) string {
	u, _ := url.PathUnescape(s)
	return u
}

// productPage answers a page of the catalog (products and configurable
// products' children) chosen by searchCriteria: its filters on entity_id
// or sku, its sort order on entity_id, then pageSize and currentPage. A
// page past the last answers the last page again, as Magento does.
// BeforeProductPage, when set, runs first; AfterProductPage once the
// page is chosen.
func (f *Fake) productPage(w http.ResponseWriter, q url.Values) {
	c, err := parseCriteria(q)
	if err != nil {
		restError(w, http.StatusBadRequest, err.Error())
		return
	}
	if f.BeforeProductPage != nil {
		f.BeforeProductPage(f)
	}
	var all []*Product
	for _, p := range f.Products {
		for _, p := range append([]*Product{p}, p.Children...) {
			if c.match(p) {
				all = append(all, p)
			}
		}
	}
	c.sort(all)
	size, page := c.size, c.page
	if size <= 0 {
		size = len(all) + 1
	}
	last := max(1, (len(all)+size-1)/size)
	page = min(max(page, 1), last)
	from, to := (page-1)*size, min(page*size, len(all))
	items := []map[string]any{}
	for _, p := range all[min(from, len(all)):to] {
		item := p.json()
		if f.OptionsUnlisted {
			delete(item, "extension_attributes")
		}
		items = append(items, item)
	}
	if f.AfterProductPage != nil {
		f.AfterProductPage(f)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total_count": len(all),
		"search_criteria": map[string]any{"current_page": page, "page_size": size}})
}

// json is the product as Magento answers it: a child's option values
// among its custom_attributes (as text, as Magento writes them), a
// configurable product's options and children among its
// extension_attributes.
func (p *Product) json() map[string]any {
	attributes := []map[string]any{{"attribute_code": "url_key", "value": p.URLKey}}
	for _, code := range slices.Sorted(maps.Keys(p.Values)) {
		attributes = append(attributes, map[string]any{"attribute_code": code, "value": strconv.FormatInt(p.Values[code], 10)})
	}
	out := map[string]any{"id": p.ID, "sku": p.SKU, "name": p.Name, "type_id": p.Type, "status": p.Status,
		"visibility": p.Visibility, "price": p.Price, "updated_at": p.UpdatedAt.UTC().Format("2006-01-02 15:04:05"),
		"custom_attributes": attributes}
	if p.Type == "configurable" {
		links := []int64{}
		for _, c := range p.Children {
			links = append(links, c.ID)
		}
		out["extension_attributes"] = map[string]any{"website_ids": []int{1}, "configurable_product_options": p.options(),
			"configurable_product_links": links}
	}
	return out
}

// options are a configurable product's options in the shape of Magento's
// ConfigurableProduct OptionInterface: attribute_id a string, and as
// values the option ids its children hold (Magento reads them from the
// children), in the children's order.
func (p *Product) options() []map[string]any {
	out := []map[string]any{}
	for i, o := range p.Options {
		values, seen := []map[string]any{}, map[int64]bool{}
		for _, c := range p.Children {
			if v, ok := c.Values[o.Code]; ok && !seen[v] {
				seen[v] = true
				values = append(values, map[string]any{"value_index": v})
			}
		}
		out = append(out, map[string]any{"id": p.ID*10 + int64(i), "attribute_id": strconv.FormatInt(o.AttributeID, 10),
			"label": o.Label, "position": i, "values": values, "product_id": p.ID})
	}
	return out
}

// optionsOf answers /V1/configurable-products/{sku}/options/all: the
// options of a configurable product, or Magento's 404.
func (f *Fake) optionsOf(w http.ResponseWriter, sku string) {
	if p := f.configurable(w, sku); p != nil {
		writeJSON(w, http.StatusOK, p.options())
	}
}

// configurable returns the configurable product sku, or answers Magento's
// 404 and returns nil.
func (f *Fake) configurable(w http.ResponseWriter, sku string) *Product {
	p := f.find(sku)
	if p == nil || p.Type != "configurable" {
		restError(w, http.StatusNotFound, "The product that was requested doesn't exist. Verify the product and try again.")
		return nil
	}
	return p
}

// find returns a product or child by SKU.
func (f *Fake) find(sku string) *Product {
	for _, p := range f.Products {
		if p.SKU == sku {
			return p
		}
		for _, c := range p.Children {
			if c.SKU == sku {
				return c
			}
		}
	}
	return nil
}

func (f *Fake) children(w http.ResponseWriter, sku string) {
	p := f.configurable(w, sku)
	if p == nil {
		return
	}
	out := []map[string]any{}
	for _, c := range p.Children {
		out = append(out, c.json())
	}
	writeJSON(w, http.StatusOK, out)
}

// product answers /V1/products/{sku}: the product, or Magento's 404.
func (f *Fake) product(w http.ResponseWriter, sku string) {
	p := f.find(sku)
	if p == nil {
		restError(w, http.StatusNotFound, "The product that was requested doesn't exist. Verify the product and try again.")
		return
	}
	writeJSON(w, http.StatusOK, p.json())
}

func (f *Fake) stockItem(w http.ResponseWriter, sku string) {
	if f.BeforeStockItem != nil {
		f.BeforeStockItem(f, sku)
	}
	p := f.find(sku)
	if p == nil {
		restError(w, http.StatusNotFound, "The Product with the \"%fieldValue\" SKU doesn't exist.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"item_id": p.ID, "product_id": p.ID, "stock_id": 1, "qty": p.Qty,
		"is_in_stock": p.InStock, "manage_stock": p.ManageStock, "backorders": p.Backorders})
}

func (f *Fake) sourceItems(w http.ResponseWriter, q url.Values) {
	c, err := parseCriteria(q)
	if err != nil {
		restError(w, http.StatusBadRequest, err.Error())
		return
	}
	items := []map[string]any{}
	if p := f.bySKU(c); p != nil {
		for code, qty := range p.Sources {
			status := 0
			if qty > 0 {
				status = 1
			}
			items = append(items, map[string]any{"sku": p.SKU, "source_code": code, "quantity": qty, "status": status})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total_count": len(items)})
}

// sources answers a page of the store's sources: the default source and
// every source a product has items at, by code, each enabled unless
// DisabledSources names it. A page past the last answers the last page
// again, as Magento does.
func (f *Fake) sources(w http.ResponseWriter, q url.Values) {
	c, err := parseCriteria(q)
	if err != nil {
		restError(w, http.StatusBadRequest, err.Error())
		return
	}
	codes := []string{"default"}
	for _, p := range f.Products {
		for _, p := range append([]*Product{p}, p.Children...) {
			for code := range p.Sources {
				if !slices.Contains(codes, code) {
					codes = append(codes, code)
				}
			}
		}
	}
	slices.Sort(codes)
	size := c.size
	if size <= 0 {
		size = len(codes)
	}
	page := min(max(c.page, 1), max(1, (len(codes)+size-1)/size))
	items := []map[string]any{}
	for _, code := range codes[min((page-1)*size, len(codes)):min(page*size, len(codes))] {
		items = append(items, map[string]any{"source_code": code, "name": code, "enabled": !f.DisabledSources[code], "country_id": "US"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total_count": len(codes)})
}

// bySKU is the product a source-items search names by its sku filter.
func (f *Fake) bySKU(c *criteria) *Product {
	for _, group := range c.groups {
		for _, fl := range group {
			if fl.field == "sku" && fl.condition == "eq" {
				return f.find(fl.value)
			}
		}
	}
	return nil
}
