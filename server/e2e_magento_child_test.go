package main

import (
	"context"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
)

// childRemoved: the merchant removes the medium size from the tee, which
// the store still sells; the next catalog sync reads the tee's children
// without it and marks it deleted, the small size kept.
func childRemoved(t *testing.T, m *Main, fake *magentotest.Fake, shop *stockbell.Shop) {
	t.Helper()
	ctx := context.Background()
	untilNoJobOf(t, m, stockbell.MagentoCatalogSyncJob{}.Kind())
	fake.Do(func(f *magentotest.Fake) { f.Products[0].Children = f.Products[0].Children[:1] })
	if err := m.Queue.Insert(ctx, stockbell.MagentoCatalogSyncJob{ShopID: shop.ID}, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, m, "the medium tee marked deleted", func() bool {
		medium, err := m.DB.FindVariant(ctx, shop.ID, "TEE-M")
		return err == nil && medium.VariantDeleted && !medium.Notifiable()
	})
	if small, err := m.DB.FindVariant(ctx, shop.ID, "TEE-S"); err != nil || small.VariantDeleted {
		t.Fatalf("the small tee, still sold = %+v, %v", small, err)
	}
}
