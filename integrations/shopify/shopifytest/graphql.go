package shopifytest

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

type graphqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

// graphql answers the Admin API: it checks the access token, refuses a
// query whose requested cost exceeds MaxQueryCost (RequestedCost), charges
// the shop's cost bucket (THROTTLED when it cannot pay) and runs the query.
// It returns the query's document.
func (f *Fake) graphql(w http.ResponseWriter, r *http.Request, domain string) string {
	var req graphqlRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": "Bad Request"})
		return ""
	}
	f.answer(w, r, domain, req)
	return req.Query
}

// answer runs a decoded request under the fake's lock.
func (f *Fake) answer(w http.ResponseWriter, r *http.Request, domain string, req graphqlRequest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.AdminStatus != 0 {
		writeJSON(w, f.AdminStatus, map[string]any{"errors": http.StatusText(f.AdminStatus)})
		return
	}
	s := f.shopLocked(domain)
	if !f.acceptsLocked(s, r.Header.Get("X-Shopify-Access-Token")) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	s.GraphQLCalls++
	if cost := RequestedCost(req.Query, req.Variables); cost > MaxQueryCost {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []any{map[string]any{
			"message": fmt.Sprintf("Query cost is %d, which exceeds the single query max cost limit (%d).", cost, MaxQueryCost),
			"extensions": map[string]any{"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": MaxQueryCost,
				"documentation": "https://shopify.dev/api/usage/rate-limits"}}}})
		return
	}
	if !f.charge(s) {
		s.Throttled++
		writeJSON(w, http.StatusOK, map[string]any{
			"errors": []any{map[string]any{"message": "Throttled", "extensions": map[string]any{
				"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}},
			"extensions": f.cost(s, false),
		})
		return
	}
	if denied := accessDenied(s, req.Query); denied != nil {
		writeJSON(w, http.StatusOK, map[string]any{"data": nil, "errors": []any{denied}, "extensions": f.cost(s, true)})
		return
	}
	if reason := deprecatedFields(req.Query); reason != "" {
		s.Deprecated = append(s.Deprecated, reason)
		w.Header().Set("X-Shopify-API-Deprecated-Reason", reason)
	}
	data, errs := f.execute(s, req)
	for _, name := range f.OmitFields {
		omitField(data, strings.Split(name, "."))
	}
	body := map[string]any{"data": data, "extensions": f.cost(s, true)}
	if errs != nil {
		body["errors"] = errs
	}
	writeJSON(w, http.StatusOK, body)
}

// omitField deletes the field at path from an answer's value, in each
// element of a list met on the way (productVariants.nodes.inventoryItem
// is every listed variant's item).
func omitField(value any, path []string) {
	switch v := value.(type) {
	case []any:
		for _, each := range v {
			omitField(each, path)
		}
	case map[string]any:
		if len(path) == 1 {
			delete(v, path[0])
			return
		}
		omitField(v[path[0]], path[1:])
	}
}

// fieldScopes are the access scopes the fields Stockbell reads need.
var fieldScopes = []struct{ field, scope string }{
	{"productVariants", "read_products"},
	{"product", "read_products"},
	{"inventoryLevels", "read_inventory"},
}

// accessDenied is Shopify's error for the first field of the query the
// shop's granted scopes do not cover (write_X covers read_X), or nil.
func accessDenied(s *Shop, query string) map[string]any {
	granted := strings.Split(s.Scope, ",")
	for _, f := range fieldScopes {
		if !strings.Contains(query, f.field+"(") || covers(granted, f.scope) {
			continue
		}
		required := "`" + f.scope + "` access scope."
		return map[string]any{
			"message": "Access denied for " + f.field + " field. Required access: " + required,
			"path":    []any{f.field},
			"extensions": map[string]any{"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes",
				"requiredAccess": required},
		}
	}
	return nil
}

// inventoryItemVariant finds InventoryItem.variant, deprecated since
// 2026-01 for the variants connection, in a query about inventory items.
var inventoryItemVariant = regexp.MustCompile(`\bvariant\s*\{`)

// deprecatedFields is the X-Shopify-API-Deprecated-Reason Shopify answers
// a query with (the deprecated fields it asked for, since 2025-04), or "".
func deprecatedFields(query string) string {
	aboutItems := strings.Contains(query, "inventoryItem(") || strings.Contains(query, "on InventoryItem")
	if aboutItems && inventoryItemVariant.MatchString(query) {
		return "InventoryItem.variant"
	}
	return ""
}

// charge restores the bucket for the time passed and takes the query's cost.
func (f *Fake) charge(s *Shop) bool {
	now := f.Clock.Now()
	s.available = min(f.MaximumAvailable, s.available+f.RestoreRate*now.Sub(s.refilledAt).Seconds())
	s.refilledAt = now
	if s.available < f.QueryCost {
		return false
	}
	s.available -= f.QueryCost
	return true
}

func (f *Fake) cost(s *Shop, ran bool) map[string]any {
	var actual any
	if ran {
		actual = f.QueryCost
	}
	return map[string]any{"cost": map[string]any{
		"requestedQueryCost": f.QueryCost, "actualQueryCost": actual,
		"throttleStatus": map[string]any{
			"maximumAvailable": f.MaximumAvailable, "currentlyAvailable": s.available, "restoreRate": f.RestoreRate,
		},
	}}
}

// execute runs the root field the query asks for (with the shop beside
// the webhook list, as Stockbell asks for both in one query).
func (f *Fake) execute(s *Shop, req graphqlRequest) (any, []any) {
	q := req.Query
	switch {
	case strings.Contains(q, "productVariants("):
		return map[string]any{"productVariants": f.variantPage(s, q, req.Variables)}, nil
	case strings.Contains(q, "product("):
		return map[string]any{"product": f.productByGID(s, q, req.Variables)}, nil
	case strings.Contains(q, "inventoryItem("):
		return map[string]any{"inventoryItem": f.itemByGID(s, q, str(req.Variables["id"]), req.Variables)}, nil
	case strings.Contains(q, "nodes("):
		return map[string]any{"nodes": f.itemNodes(s, q, req.Variables["ids"])}, nil
	case strings.Contains(q, "webhookSubscriptionCreate("):
		if refusal := f.refuseTopic(s, str(req.Variables["topic"])); refusal != nil {
			return map[string]any{"webhookSubscriptionCreate": refusal}, nil
		}
		return map[string]any{"webhookSubscriptionCreate": createSubscription(s, req.Variables)}, nil
	case strings.Contains(q, "webhookSubscriptions("):
		data := map[string]any{"webhookSubscriptions": listSubscriptions(s)}
		if strings.Contains(q, "primaryDomain") {
			data["shop"] = shopDetails(s, q)
		}
		if strings.Contains(q, "currentAppInstallation") {
			data["currentAppInstallation"] = appInstallation(s, q)
		}
		return data, nil
	case strings.Contains(q, "metafieldsSet("):
		return map[string]any{"metafieldsSet": setAppMetafields(s, req.Variables)}, nil
	case shopIDQuery.MatchString(q):
		return map[string]any{"shop": map[string]any{"id": gid("Shop", 548380009)}}, nil
	}
	return nil, []any{map[string]any{"message": "Field is not supported by the fake", "extensions": map[string]any{"code": "undefinedField"}}}
}

var (
	shopIDQuery   = regexp.MustCompile(`^\s*(query\s*)?\{\s*shop\s*\{\s*id\s*\}\s*\}\s*$`)
	variantsFirst = regexp.MustCompile(`productVariants\(first:\s*(\d+)`)
	levelsFirst   = regexp.MustCompile(`inventoryLevels\(first:\s*(\d+)`)
	// itemVariantsFirst is InventoryItem.variants' page size.
	itemVariantsFirst = regexp.MustCompile(`\bvariants\(first:\s*(\d+)`)
)

func firstArg(re *regexp.Regexp, q string, fallback int) int {
	if m := re.FindStringSubmatch(q); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return fallback
}

func (f *Fake) variantPage(s *Shop, q string, vars map[string]any) map[string]any {
	var all []*Variant
	for _, p := range s.Products {
		all = append(all, p.Variants...)
	}
	start, end, next := window(len(all), str(vars["after"]), firstArg(variantsFirst, q, 50))
	nodes := []any{}
	for _, v := range all[start:end] {
		nodes = append(nodes, f.variantNode(s, q, v))
	}
	return map[string]any{"pageInfo": pageInfo(end, next), "nodes": nodes}
}

// variantNode is the variant with its product and its inventory item's
// first page of levels, as a page of variants answers it.
func (f *Fake) variantNode(s *Shop, q string, v *Variant) map[string]any {
	item := s.variantByItem(v.InventoryItemID)
	node := variantJSON(s, s.productOf(v), v)
	node["inventoryItem"] = f.itemJSON(s.productOf(item), item, firstArg(levelsFirst, q, 50), "")
	return node
}

// itemByGID answers inventoryItem: the item with a page of its levels
// (after) and of the variants carrying it (variantsAfter), and the
// deprecated single variant (the first) when the query asks for it.
func (f *Fake) itemByGID(s *Shop, q, gid string, vars map[string]any) any {
	id, _ := strconv.ParseInt(gid[strings.LastIndex(gid, "/")+1:], 10, 64)
	v := s.variantByItem(id)
	if v == nil || !strings.HasPrefix(gid, "gid://shopify/InventoryItem/") {
		return nil
	}
	item := f.itemJSON(s.productOf(v), v, firstArg(levelsFirst, q, 50), str(vars["after"]))
	if inventoryItemVariant.MatchString(q) {
		item["variant"] = variantJSON(s, s.productOf(v), v)
	}
	sharing := s.variantsOfItem(id)
	start, end, next := window(len(sharing), str(vars["variantsAfter"]), firstArg(itemVariantsFirst, q, 50))
	nodes := []any{}
	for _, each := range sharing[start:end] {
		nodes = append(nodes, variantJSON(s, s.productOf(each), each))
	}
	item["variants"] = map[string]any{"pageInfo": pageInfo(end, next), "nodes": nodes}
	return item
}

func (f *Fake) itemNodes(s *Shop, q string, ids any) []any {
	list, _ := ids.([]any)
	out := []any{}
	for _, id := range list {
		out = append(out, f.itemByGID(s, q, str(id), nil))
	}
	return out
}

func variantJSON(s *Shop, p *Product, v *Variant) map[string]any {
	total := 0
	for _, l := range s.variantByItem(v.InventoryItemID).Levels {
		total += l.Available
	}
	product := map[string]any{
		"id": gid("Product", p.ID), "legacyResourceId": strconv.FormatInt(p.ID, 10), "handle": p.Handle,
		"title": p.Title, "status": p.Status, "updatedAt": p.UpdatedAt.UTC().Format(time.RFC3339),
		"publishedAt": nil, "onlineStoreUrl": nil, "featuredImage": nil,
	}
	if p.Published {
		product["publishedAt"] = p.UpdatedAt.UTC().Format(time.RFC3339)
		product["onlineStoreUrl"] = "https://example.com/products/" + p.Handle
	}
	if p.ImageURL != "" {
		product["featuredImage"] = map[string]any{"url": p.ImageURL}
	}
	return map[string]any{
		"id": gid("ProductVariant", v.ID), "legacyResourceId": strconv.FormatInt(v.ID, 10), "title": v.Title,
		"sku": v.SKU, "price": v.Price, "inventoryPolicy": v.Policy, "inventoryQuantity": total,
		"image": nil, "product": product,
	}
}

func (f *Fake) itemJSON(p *Product, v *Variant, first int, after string) map[string]any {
	start, end, next := window(len(v.Levels), after, first)
	nodes := []any{}
	for _, l := range v.Levels[start:end] {
		node := map[string]any{
			"location":   map[string]any{"id": gid("Location", l.LocationID)},
			"quantities": []any{map[string]any{"name": "available", "quantity": l.Available}},
		}
		if !f.OmitLevelUpdatedAt {
			at := l.UpdatedAt
			if at.IsZero() {
				at = p.UpdatedAt
			}
			node["updatedAt"] = at.UTC().Format(time.RFC3339)
		}
		nodes = append(nodes, node)
	}
	return map[string]any{
		"id": gid("InventoryItem", v.InventoryItemID), "legacyResourceId": strconv.FormatInt(v.InventoryItemID, 10),
		"tracked": v.Tracked, "inventoryLevels": map[string]any{"pageInfo": pageInfo(end, next), "nodes": nodes},
	}
}

func createSubscription(s *Shop, vars map[string]any) map[string]any {
	topic := str(vars["topic"])
	input, _ := vars["webhookSubscription"].(map[string]any)
	uri := str(input["uri"])
	for _, sub := range s.Webhooks {
		if sub.Topic == topic && sub.URI == uri {
			return map[string]any{"webhookSubscription": nil, "userErrors": []any{
				map[string]any{"field": []any{"webhookSubscription", "callbackUrl"}, "message": "Address for this topic has already been taken"}}}
		}
	}
	if topic == "" || !strings.HasPrefix(uri, "http") {
		return map[string]any{"webhookSubscription": nil, "userErrors": []any{
			map[string]any{"field": []any{"webhookSubscription", "uri"}, "message": "Address is invalid"}}}
	}
	if plainHTTP(uri) {
		return map[string]any{"webhookSubscription": nil, "userErrors": []any{
			map[string]any{"field": []any{"webhookSubscription", "callbackUrl"}, "message": "Address protocol http:// is not supported"}}}
	}
	sub := Subscription{ID: int64(len(s.Webhooks) + 1), Topic: topic, URI: uri}
	s.Webhooks = append(s.Webhooks, sub)
	return map[string]any{"webhookSubscription": subscriptionJSON(sub), "userErrors": []any{}}
}

// plainHTTP reports whether a subscription's address is http://, which
// Shopify refuses (its userError "Address protocol http:// is not
// supported", on webhookSubscription.callbackUrl), except a loopback
// address: the server under test.
func plainHTTP(uri string) bool {
	return strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "http://127.0.0.1:") && !strings.HasPrefix(uri, "http://localhost:")
}

func listSubscriptions(s *Shop) map[string]any {
	nodes := []any{}
	for _, sub := range s.Webhooks {
		nodes = append(nodes, subscriptionJSON(sub))
	}
	return map[string]any{"pageInfo": pageInfo(0, false), "nodes": nodes}
}

func subscriptionJSON(sub Subscription) map[string]any {
	return map[string]any{"id": gid("WebhookSubscription", sub.ID), "topic": sub.Topic, "uri": sub.URI}
}

// window pages n items from the opaque cursor after.
func window(n int, after string, first int) (start, end int, next bool) {
	if raw, err := base64.StdEncoding.DecodeString(after); err == nil && after != "" {
		start, _ = strconv.Atoi(strings.TrimPrefix(string(raw), "cursor:"))
	}
	start = min(start, n)
	end = min(start+first, n)
	return start, end, end < n
}

func pageInfo(end int, next bool) map[string]any {
	cursor := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "cursor:%d", end))
	return map[string]any{"hasNextPage": next, "endCursor": cursor}
}

func gid(kind string, id int64) string { return fmt.Sprintf("gid://shopify/%s/%d", kind, id) }

func str(v any) string {
	s, _ := v.(string)
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// appInstallationID is the fake installation's id, the owner of app-data metafields.
const appInstallationID = "gid://shopify/AppInstallation/1"

var metafieldArg = regexp.MustCompile(`metafield\(namespace:\s*"([^"]+)",\s*key:\s*"([^"]+)"\)`)

// appInstallation answers currentAppInstallation with the metafield the
// query names.
func appInstallation(s *Shop, q string) map[string]any {
	out := map[string]any{"id": appInstallationID, "metafield": nil}
	if m := metafieldArg.FindStringSubmatch(q); m != nil {
		if v, ok := s.AppMetafields[m[1]+"."+m[2]]; ok {
			out["metafield"] = map[string]any{"value": v}
		}
	}
	return out
}

// setAppMetafields stores metafields owned by the app's installation.
func setAppMetafields(s *Shop, vars map[string]any) map[string]any {
	list, _ := vars["metafields"].([]any)
	var set []any
	for _, item := range list {
		m, _ := item.(map[string]any)
		if str(m["ownerId"]) != appInstallationID {
			return map[string]any{"metafields": nil, "userErrors": []any{map[string]any{"field": []any{"metafields", "0", "ownerId"}, "message": "Owner does not exist"}}}
		}
		if s.AppMetafields == nil {
			s.AppMetafields = map[string]string{}
		}
		s.AppMetafields[str(m["namespace"])+"."+str(m["key"])] = str(m["value"])
		set = append(set, map[string]any{"key": m["key"], "value": m["value"]})
	}
	return map[string]any{"metafields": set, "userErrors": []any{}}
}

// shopDetails answers the shop fields of a query: name, primaryDomain and,
// when asked, currencyCode (a CurrencyCode enum value such as "EUR") and
// email (the owner's address, a String! as Shopify's).
func shopDetails(s *Shop, q string) map[string]any {
	shop := map[string]any{"name": s.Name, "primaryDomain": map[string]any{"host": s.PrimaryDomain}}
	if strings.Contains(q, "currencyCode") {
		shop["currencyCode"] = cmp.Or(s.Currency, "USD")
	}
	if shopEmailField.MatchString(q) {
		shop["email"] = cmp.Or(s.Email, "owner@"+s.Domain)
	}
	return shop
}

// shopEmailField finds the shop's own email among the query's fields
// (contactEmail is another).
var shopEmailField = regexp.MustCompile(`\bemail\b`)
