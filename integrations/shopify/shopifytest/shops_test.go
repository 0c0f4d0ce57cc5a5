package shopifytest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// TestAnotherShopsProductIsNotFound: Shopify's ids are global and each
// shop's token reads only that shop, so the fake answers a product or an
// inventory item of another shop as Shopify does: GraphQL null (no error),
// and REST 404.
func TestAnotherShopsProductIsNotFound(t *testing.T) {
	f := New(NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
	defer f.Close()
	f.Do("own.myshopify.com", func(s *Shop) {
		s.Token, s.Scope = "own-token", "read_products,read_inventory"
		s.Products = []*Product{{ID: 11, Title: "Cap", Handle: "cap", Status: "ACTIVE",
			Variants: []*Variant{{ID: 12, InventoryItemID: 13, Tracked: true, Levels: []Level{{LocationID: 14, Available: 1}}}}}}
	})
	f.Do("other.myshopify.com", func(s *Shop) { s.Token, s.Scope = "other-token", "read_products,read_inventory" })
	ask := func(shop, token, query, id string) string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": id}})
		req, _ := http.NewRequest(http.MethodPost, f.URL()+"/"+shop+"/admin/api/"+f.APIVersion+"/graphql.json", bytes.NewReader(body))
		req.Header.Set("X-Shopify-Access-Token", token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			Data   map[string]json.RawMessage `json:"data"`
			Errors json.RawMessage            `json:"errors"`
		}
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK || out.Errors != nil {
			t.Fatalf("%s: status %d, errors %s, %v", query, res.StatusCode, out.Errors, err)
		}
		for _, v := range out.Data {
			return string(v)
		}
		return ""
	}
	const product, item = `query($id:ID!){ product(id:$id){ id } }`, `query($id:ID!){ inventoryItem(id:$id){ id tracked } }`
	if got := ask("own.myshopify.com", "own-token", product, "gid://shopify/Product/11"); got == "null" || got == "" {
		t.Fatalf("the shop's own product = %s", got)
	}
	if got := ask("other.myshopify.com", "other-token", product, "gid://shopify/Product/11"); got != "null" {
		t.Fatalf("another shop's product = %s, want null", got)
	}
	if got := ask("other.myshopify.com", "other-token", item, "gid://shopify/InventoryItem/13"); got != "null" {
		t.Fatalf("another shop's inventory item = %s, want null", got)
	}
	req, _ := http.NewRequest(http.MethodGet, f.URL()+"/other.myshopify.com/admin/api/"+f.APIVersion+"/products/11.json", nil)
	req.Header.Set("X-Shopify-Access-Token", "other-token")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("REST read of another shop's product: status %d, want 404", res.StatusCode)
	}
}
