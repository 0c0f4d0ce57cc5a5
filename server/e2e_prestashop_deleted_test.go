package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
)

// deletedInShop: a cap and a scarf made in the shop are read by the
// catalog sync and a shopper waits for the cap; the merchant deletes both
// in PrestaShop and the next sync marks them deleted (the scarf, which
// nobody waits for and so no reconciliation reads, only the sync's
// listing finds gone): the storefront takes no more subscriptions for
// them and the admin's products in demand mark the cap deleted.
func (ps *psShop) deletedInShop(t *testing.T, shop *stockbell.Shop) {
	t.Helper()
	ctx := context.Background()
	sync := func(what string, done func(capV, scarfV *stockbell.VariantWithProduct) bool) {
		t.Helper()
		ps.syncUntil(t, shop, what, func() bool {
			capV, err := ps.m.DB.FindVariant(ctx, shop.ID, "4-0")
			scarfV, err2 := ps.m.DB.FindVariant(ctx, shop.ID, "5-0")
			return err == nil && err2 == nil && done(capV, scarfV)
		})
	}
	ps.fake.Do(func(s *prestashoptest.Shop) {
		s.Products = append(s.Products, &prestashoptest.Product{ID: e2ePSCap, Name: "Cap", Price: "9.000000", Active: true},
			&prestashoptest.Product{ID: e2ePSScarf, Name: "Scarf", Price: "15.000000", Active: true})
	})
	sync("the cap and the scarf read", func(capV, scarfV *stockbell.VariantWithProduct) bool { return !capV.Deleted && !scarfV.Deleted })
	if status, answer := ps.subscribeAnswer(t, "4-0", "bob@example.com"); status != http.StatusCreated {
		t.Fatalf("subscription to the sold-out cap answered %d: %s", status, answer)
	}
	ps.fake.Do(func(s *prestashoptest.Shop) { s.Products = s.Products[:len(s.Products)-2] })
	sync("the cap and the scarf marked deleted", func(capV, scarfV *stockbell.VariantWithProduct) bool { return capV.Deleted && scarfV.Deleted })
	for _, variant := range []string{"4-0", "5-0"} {
		if status, answer := ps.subscribeAnswer(t, variant, "carol@example.com"); status != http.StatusUnprocessableEntity ||
			!strings.Contains(answer, "not available for alerts") {
			t.Fatalf("subscription to deleted %s answered %d: %s", variant, status, answer)
		}
	}
	if row, page := ps.productsRow(t, ">Cap"); !strings.Contains(row, `<span class="badge failed">deleted</span>`) {
		t.Fatalf("the admin's products in demand do not mark the deleted cap: %s", page)
	}
}

// syncUntil queues a catalog sync of the shop, once none is queued, and
// waits until done.
func (ps *psShop) syncUntil(t *testing.T, shop *stockbell.Shop, what string, done func() bool) {
	t.Helper()
	untilNoJobOf(t, ps.m, stockbell.PrestaShopCatalogSyncJob{}.Kind())
	if err := ps.m.Queue.Insert(context.Background(), stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, ps.m, what, done)
}

// productsRow reads the admin's products in demand and returns the row
// heading that follows the text after, and the whole page.
func (ps *psShop) productsRow(t *testing.T, after string) (row, page string) {
	t.Helper()
	resp, err := ps.admin.Get(ps.m.URL() + "/admin/products")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the admin's products in demand answered %d: %s", resp.StatusCode, body)
	}
	_, row, _ = strings.Cut(string(body), after)
	row, _, _ = strings.Cut(row, "</th>")
	return row, string(body)
}
