package store_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAPIKeyNameHasAtMost100Characters: a key's name counts characters,
// not bytes, after trimming spaces; 100 are kept whole, 101 are refused on
// "name" with the limit in words, and no key is made.
func TestAPIKeyNameHasAtMost100Characters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		shop := install(t, db, stockbell.PlatformShopify, "keys.myshopify.com")
		longest := strings.Repeat("é", stockbell.MaxAPIKeyName)
		_, key, err := db.CreateAPIKey(ctx, shop.ID, "  "+longest+"  ")
		must(t, err)
		if key.Name != longest {
			t.Fatalf("name stored as %q, want the 100 characters without the spaces", key.Name)
		}
		_, _, err = db.CreateAPIKey(ctx, shop.ID, longest+"e")
		wantCode(t, err, stockbell.EINVALID, "name")
		if msg := stockbell.ErrorMessage(err); msg != "A key's name has at most 100 characters." {
			t.Errorf("message %q", msg)
		}
		if keys, err := db.FindAPIKeys(ctx, shop.ID); err != nil || len(keys) != 1 {
			t.Fatalf("keys after the refusal: %d, %v; want only the first", len(keys), err)
		}
	})
}
