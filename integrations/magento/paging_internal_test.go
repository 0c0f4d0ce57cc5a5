package magento

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/integrations/magento/magentotest"
)

// TestProductListingByKeyset: the catalog is listed in ascending entity_id
// whatever the store's own order, each page above the last id seen; the
// fake reads that searchCriteria as Magento does and refuses a key that
// names no property (a misspelt filter group) with 400 rather than
// ignoring it.
func TestProductListingByKeyset(t *testing.T) {
	f := magentotest.New()
	defer f.Close()
	f.Do(func(f *magentotest.Fake) {
		for _, id := range []int64{7, 3, 250, 1, 120, 99} {
			f.Products = append(f.Products, &magentotest.Product{ID: id, SKU: "P", Type: "simple", Status: 1})
		}
	})
	client := NewClient(true)
	cred, err := client.Exchange(context.Background(), Credentials{BaseURL: f.URL(), ConsumerKey: f.ConsumerKey, ConsumerSecret: f.ConsumerSecret}, f.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err = client.eachProductPage(context.Background(), cred, func(page []apiProduct) error {
		for _, p := range page {
			ids = append(ids, p.ID)
		}
		return nil
	})
	if err != nil || len(ids) != 6 || ids[0] != 1 || ids[5] != 250 {
		t.Fatalf("listed %v, %v; want 1 3 7 99 120 250", ids, err)
	}

	q := keysetQuery("entity_id", 0, PageSize)
	q.Set("searchCriteria[filterGroup][0][filters][0][field]", "entity_id")
	var apiErr *APIError
	err = client.get(context.Background(), cred, "/products", q, &productPage{})
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || !strings.Contains(apiErr.Message, "does not have accessor method") {
		t.Fatalf("a misspelt searchCriteria key: %v, want Magento's 400", err)
	}
}
