package shopifytest

import "testing"

// TestRequestedCost checks the cost rules on Shopify's own examples and
// shapes: an object 1, a connection 2 + first × a node, nodes(ids:) a
// node per id, scalars nothing.
func TestRequestedCost(t *testing.T) {
	cases := []struct {
		query string
		vars  map[string]any
		want  int
	}{
		{`query { shop { id name } }`, nil, 1},
		{`query { products(first:10){ pageInfo{ hasNextPage } nodes{ id title } } }`, nil, 2 + 10*1},
		{`query { product(id:"gid://shopify/Product/1"){ variants(first:250, after:null){ nodes{ id } } } }`, nil, 1 + 2 + 250},
		{`query Q($ids:[ID!]!){ nodes(ids:$ids){ ... on InventoryItem { id inventoryLevels(first:10){ nodes{ location{ id } quantities(names:["available"]){ quantity } } } } } }`,
			map[string]any{"ids": []any{"a", "b"}}, 2 * (1 + 2 + 10*(1+1+1))},
	}
	for _, c := range cases {
		if got := RequestedCost(c.query, c.vars); got != c.want {
			t.Errorf("RequestedCost(%.60s…) = %d, want %d", c.query, got, c.want)
		}
	}
}
