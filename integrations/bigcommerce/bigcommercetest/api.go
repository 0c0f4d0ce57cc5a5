package bigcommercetest

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// api answers an authorised API request of store s; path is under
// /stores/{hash}. The fake's lock is held.
func (f *Fake) api(w http.ResponseWriter, r *http.Request, s *Store, path string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && path == "/v2/store":
		writeJSON(w, http.StatusOK, map[string]any{"id": s.Hash, "domain": s.Domain, "secure_url": "https://" + s.Domain, "name": s.Name,
			"currency": cmp.Or(s.Currency, "USD"), "currency_symbol": "$", "decimal_places": 2})
	case r.Method == http.MethodGet && path == "/v3/catalog/products":
		rows := []any{}
		for _, p := range listedProducts(s, r.URL.Query()) {
			rows = append(rows, productJSON(p, r.URL.Query().Get("include")))
		}
		writePage(w, r, rows)
	case r.Method == http.MethodGet && len(parts) == 4 && parts[1] == "catalog" && parts[2] == "products":
		id, _ := strconv.ParseInt(parts[3], 10, 64)
		if p := s.product(id); p != nil {
			writeJSON(w, http.StatusOK, map[string]any{"data": productJSON(p, r.URL.Query().Get("include")), "meta": map[string]any{}})
		} else {
			writeError(w, http.StatusNotFound, "The requested product was not found.")
		}
	case r.Method == http.MethodGet && path == "/v3/inventory/items":
		writePage(w, r, inventoryItems(s, r))
	case strings.HasPrefix(path, "/v3/hooks"):
		f.hooks(w, r, s, parts)
	case r.Method == http.MethodGet && len(parts) >= 3 && parts[0] == "v2" && parts[1] == "orders":
		orderJSON(w, r, s, parts)
	default:
		writeError(w, http.StatusNotFound, "No route "+r.Method+" "+path)
	}
}

// listedProducts are the store's products a product list asks for: the
// id filters (id:in, id:greater, id:less) applied, then sorted as sort and
// direction say (sort=id, direction asc or desc); without sort, in the
// store's order.
func listedProducts(s *Store, q url.Values) []*Product {
	in := idSet(q.Get("id:in"))
	greater, hasGreater := queryID(q, "id:greater")
	less, hasLess := queryID(q, "id:less")
	var out []*Product
	for _, p := range s.Products {
		if (in != nil && !in[p.ID]) || (hasGreater && p.ID <= greater) || (hasLess && p.ID >= less) {
			continue
		}
		out = append(out, p)
	}
	if q.Get("sort") == "id" {
		desc := q.Get("direction") == "desc"
		slices.SortStableFunc(out, func(a, b *Product) int {
			if desc {
				return cmp.Compare(b.ID, a.ID)
			}
			return cmp.Compare(a.ID, b.ID)
		})
	}
	return out
}

func queryID(q url.Values, name string) (int64, bool) {
	id, err := strconv.ParseInt(q.Get(name), 10, 64)
	return id, err == nil
}

func productJSON(p *Product, include string) map[string]any {
	out := map[string]any{
		"id": p.ID, "name": p.Name, "type": "physical", "sku": "P-" + strconv.FormatInt(p.ID, 10),
		"price": json.RawMessage(orZero(p.Price)), "inventory_level": p.total(), "inventory_tracking": p.Tracking,
		"is_visible": p.Visible, "availability": p.Availability, "date_modified": p.Modified.UTC().Format("2006-01-02T15:04:05+00:00"),
		"custom_url": map[string]any{"url": p.URL, "is_customized": false},
	}
	if len(p.Variants) > 0 {
		out["base_variant_id"] = p.Variants[0].ID
	}
	if strings.Contains(include, "variants") {
		variants := []any{}
		for _, v := range p.Variants {
			var price any = json.RawMessage(orZero(v.Price))
			if v.Price == "" {
				price = nil
			}
			options := []any{}
			for _, o := range v.Options {
				options = append(options, map[string]any{"label": o, "option_display_name": "Option"})
			}
			variants = append(variants, map[string]any{"id": v.ID, "product_id": p.ID, "sku": v.SKU, "sku_id": v.SKUID,
				"price": price, "calculated_price": json.RawMessage(orZero(firstOf(v.Price, p.Price))),
				"inventory_level": sum(v.Levels), "purchasing_disabled": false, "image_url": "", "option_values": options})
		}
		out["variants"] = variants
	}
	if strings.Contains(include, "images") && p.ImageURL != "" {
		out["images"] = []any{map[string]any{"is_thumbnail": true, "url_standard": p.ImageURL}}
	}
	return out
}

// inventoryItems lists the Inventory API's items: one per variant of a
// variant-tracked product, one per product-tracked product (identified by
// its base variant), none for untracked ones.
func inventoryItems(s *Store, r *http.Request) []any {
	products, variants := idSet(r.URL.Query().Get("product_id:in")), idSet(r.URL.Query().Get("variant_id:in"))
	rows := []any{}
	for _, p := range s.Products {
		if (products != nil && !products[p.ID]) || p.Tracking == "none" || len(p.Variants) == 0 {
			continue
		}
		if p.Tracking == "product" {
			if variants == nil || variants[p.Variants[0].ID] {
				rows = append(rows, itemJSON(s, "P-"+strconv.FormatInt(p.ID, 10), p.Variants[0].ID, p.ID, p.Levels))
			}
			continue
		}
		for _, v := range p.Variants {
			if variants == nil || variants[v.ID] {
				rows = append(rows, itemJSON(s, v.SKU, v.ID, p.ID, v.Levels))
			}
		}
	}
	return rows
}

func itemJSON(s *Store, sku string, variantID, productID int64, levels map[int64]int) map[string]any {
	locations := []any{}
	ids := make([]int64, 0, len(levels))
	for id := range levels {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		locations = append(locations, map[string]any{"location_id": id, "location_code": "BC-LOCATION-" + strconv.FormatInt(id, 10),
			"location_name": "Location " + strconv.FormatInt(id, 10), "available_to_sell": levels[id],
			"total_inventory_onhand": levels[id], "location_enabled": !s.DisabledLocations[id],
			"settings": map[string]any{"safety_stock": 0, "is_in_stock": levels[id] > 0, "warning_level": 0, "bin_picking_number": ""}})
	}
	return map[string]any{"identity": map[string]any{"sku": sku, "variant_id": variantID, "product_id": productID, "sku_id": 0},
		"locations": locations}
}

// hooks serves GET and POST /v3/hooks and PUT /v3/hooks/{id}.
func (f *Fake) hooks(w http.ResponseWriter, r *http.Request, s *Store, parts []string) {
	var body struct {
		Scope       string            `json:"scope"`
		Destination string            `json:"destination"`
		IsActive    *bool             `json:"is_active"`
		Headers     map[string]string `json:"headers"`
	}
	if r.Method != http.MethodGet && json.NewDecoder(r.Body).Decode(&body) != nil {
		writeError(w, http.StatusUnprocessableEntity, "The request body is not valid JSON.")
		return
	}
	now := f.Now().Unix()
	switch {
	case r.Method == http.MethodGet && len(parts) == 2:
		rows := []any{}
		for _, h := range s.Hooks {
			rows = append(rows, hookJSON(s, h))
		}
		writePage(w, r, rows)
	case r.Method == http.MethodPost && len(parts) == 2:
		if field, message := invalidHook(body.Scope, body.Destination); field != "" {
			writeInvalid(w, field, message)
			return
		}
		f.nextID++
		h := &Hook{ID: f.nextID, Scope: body.Scope, Destination: body.Destination, Headers: body.Headers,
			Active: body.IsActive == nil || *body.IsActive, CreatedAt: now, UpdatedAt: now}
		s.Hooks = append(s.Hooks, h)
		writeJSON(w, http.StatusOK, map[string]any{"data": hookJSON(s, h), "meta": map[string]any{}})
	case r.Method == http.MethodPut && len(parts) == 3:
		id, _ := strconv.ParseInt(parts[2], 10, 64)
		for _, h := range s.Hooks {
			if h.ID == id {
				h.Scope, h.Destination = firstOf(body.Scope, h.Scope), firstOf(body.Destination, h.Destination)
				if body.IsActive != nil {
					h.Active = *body.IsActive
				}
				if body.Headers != nil {
					h.Headers = body.Headers
				}
				h.UpdatedAt = now
				writeJSON(w, http.StatusOK, map[string]any{"data": hookJSON(s, h), "meta": map[string]any{}})
				return
			}
		}
		writeError(w, http.StatusNotFound, "Webhook not found.")
	default:
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed.")
	}
}

// invalidHook names the field of a hook to create that BigCommerce
// refuses, with the fake's message for it ("" when none is).
func invalidHook(scope, destination string) (field, message string) {
	switch {
	case !strings.HasPrefix(scope, "store/"):
		return "scope", "The scope is not a webhook event."
	case !validDestination(destination):
		return "destination", "The destination must be an HTTPS URL on port 443."
	}
	return "", ""
}

// writeInvalid answers BigCommerce's documented 422 (webhooks.v3.yml,
// 422_UnprocessableEntity): its title, and the refused field with a
// message in the errors object. BigCommerce documents no message for a
// refused destination; the fake's are its own.
func writeInvalid(w http.ResponseWriter, field, message string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"status": http.StatusUnprocessableEntity,
		"title": "JSON data is missing or invalid", "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
		"errors": map[string]any{field: message}})
}

// validDestination wants https on port 443, as BigCommerce does, except
// for loopback destinations (the server under test).
func validDestination(d string) bool {
	if strings.HasPrefix(d, "http://127.0.0.1:") || strings.HasPrefix(d, "http://localhost:") {
		return true
	}
	rest, ok := strings.CutPrefix(d, "https://")
	host, _, _ := strings.Cut(rest, "/")
	return ok && host != "" && (!strings.Contains(host, ":") || strings.HasSuffix(host, ":443"))
}

func hookJSON(s *Store, h *Hook) map[string]any {
	return map[string]any{"id": h.ID, "client_id": "bc-client-id", "store_hash": s.Hash, "scope": h.Scope, "destination": h.Destination,
		"headers": h.Headers, "is_active": h.Active, "created_at": h.CreatedAt, "updated_at": h.UpdatedAt}
}

func orderJSON(w http.ResponseWriter, r *http.Request, s *Store, parts []string) {
	id, _ := strconv.ParseInt(parts[2], 10, 64)
	for _, o := range s.Orders {
		if o.ID != id {
			continue
		}
		if len(parts) == 4 && parts[3] == "products" {
			lines := []any{}
			for i, l := range o.Lines {
				lines = append(lines, map[string]any{"id": i + 1, "order_id": o.ID, "product_id": l.ProductID, "variant_id": l.VariantID,
					"quantity": l.Quantity, "price_inc_tax": l.Price, "base_price": l.Price})
			}
			writeV2Page(w, r, lines)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": o.ID, "date_created": o.Created.UTC().Format(time.RFC1123Z),
			"currency_code": o.Currency, "total_inc_tax": o.Total, "billing_address": map[string]any{"email": o.Email}})
		return
	}
	writeError(w, http.StatusNotFound, "The requested order was not found.")
}

// writeV2Page answers one page of a v2 list: a bare JSON array of at most
// limit rows (50 unless asked, never more than 250), page counted from 1,
// and 204 No Content with no body when the page holds no rows.
func writeV2Page(w http.ResponseWriter, r *http.Request, rows []any) {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 {
		limit = 50
	}
	limit = min(limit, 250)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	start, end := min((page-1)*limit, len(rows)), min(page*limit, len(rows))
	if start == end {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, rows[start:end])
}

// writePage answers one page of rows as a v3 list with meta.pagination.
func writePage(w http.ResponseWriter, r *http.Request, rows []any) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 250 {
		limit = 50
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	pages := max((len(rows)+limit-1)/limit, 1)
	start, end := min((page-1)*limit, len(rows)), min(page*limit, len(rows))
	next := ""
	if page < pages {
		next = "?page=" + strconv.Itoa(page+1) + "&limit=" + strconv.Itoa(limit)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": rows[start:end], "meta": map[string]any{"pagination": map[string]any{
		"total": len(rows), "count": end - start, "per_page": limit, "current_page": page, "total_pages": pages,
		"links": map[string]any{"current": "?page=" + strconv.Itoa(page) + "&limit=" + strconv.Itoa(limit), "next": next}}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers BigCommerce's v3 error shape.
func writeError(w http.ResponseWriter, status int, title string) {
	writeJSON(w, status, map[string]any{"status": status, "title": title, "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
		"errors": map[string]any{}})
}

func idSet(list string) map[int64]bool {
	if list == "" {
		return nil
	}
	out := map[int64]bool{}
	for _, f := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			out[id] = true
		}
	}
	return out
}

func (p *Product) total() int {
	if p.Tracking == "product" {
		return sum(p.Levels)
	}
	n := 0
	for _, v := range p.Variants {
		n += sum(v.Levels)
	}
	return n
}

func sum(levels map[int64]int) int {
	n := 0
	for _, a := range levels {
		n += a
	}
	return n
}

func orZero(s string) string { return firstOf(s, "0") }

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
