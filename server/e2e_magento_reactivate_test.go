package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
)

// TestMagentoReactivationKeepsSubscribers runs a revoked integration and
// its activation again on the real server, on each database: the job that
// meets the revoked token stops the store, which then takes no
// subscription and no post of the old secret; activating again makes it
// the same shop, its shopper still waiting, with a new module secret, and
// the module's post of a restock with that secret notifies her. Another
// store on the server keeps its shopper and its installation throughout.
func TestMagentoReactivationKeepsSubscribers(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			m := magentoServer(t, dbURL)
			otherFake, fake := magentoStore(t), magentoStore(t)
			other, shop := activatedStore(t, m, otherFake), activatedStore(t, m, fake)
			for _, f := range []*magentotest.Fake{otherFake, fake} {
				if status := subscribe(t, m, f.Domain(), "TEE-S", "ada@example.com"); status != http.StatusCreated {
					t.Fatalf("subscription answered %d", status)
				}
			}
			oldSecret := identity(t, m, fake)

			fake.Revoke()
			untilNoJobOf(t, m, stockbell.MagentoReconcileJob{}.Kind())
			if err := m.Queue.Insert(ctx, stockbell.MagentoReconcileJob{}, nil); err != nil {
				t.Fatal(err)
			}
			eventually(t, m, "the revoked store stopped", func() bool {
				s, err := m.DB.FindShopByID(ctx, shop.ID)
				return err == nil && !s.Active()
			})
			if status := subscribe(t, m, fake.Domain(), "TEE-S", "bob@example.com"); status != http.StatusNotFound {
				t.Errorf("a subscription to the stopped store answered %d, want 404", status)
			}
			restock := map[string]any{"shop": fake.Domain(), "sku": "TEE-S", "qty": 3, "is_in_stock": true, "source": "default",
				"updated_at": time.Now().UTC().Format(time.DateTime)}
			if status, body := postStock(t, m, fake.Domain(), oldSecret, time.Now(), restock); status != http.StatusUnauthorized {
				t.Errorf("a post of the stopped store answered %d, want 401: %s", status, body)
			}

			if again := activatedStore(t, m, fake); again.ID != shop.ID || !again.Active() {
				t.Fatalf("activating again made shop %d (active %v), want shop %d installed", again.ID, again.Active(), shop.ID)
			}
			newSecret := identity(t, m, fake)
			if newSecret == oldSecret {
				t.Fatal("activating the stopped store again kept its module secret")
			}
			if status, _ := postStock(t, m, fake.Domain(), oldSecret, time.Now(), restock); status != http.StatusUnauthorized {
				t.Errorf("a post signed with the secret before the revocation answered %d, want 401", status)
			}
			fake.Do(func(f *magentotest.Fake) { f.Products[0].Children[0].Qty, f.Products[0].Children[0].InStock = 3, true })
			restock["updated_at"] = time.Now().UTC().Format(time.DateTime)
			if status, body := postStock(t, m, fake.Domain(), newSecret, time.Now(), restock); status != http.StatusOK {
				t.Fatalf("the module's post with the new secret answered %d: %s", status, body)
			}
			notified(t, m, shop, "TEE-S")

			s, err := m.DB.FindShopByID(ctx, other.ID)
			if err != nil || !s.Active() {
				t.Fatalf("the other store after the first's revocation: %+v %v", s, err)
			}
			variant, err := m.DB.FindVariant(ctx, other.ID, "TEE-S")
			if err != nil {
				t.Fatal(err)
			}
			subs, _, err := m.DB.FindSubscriptions(ctx, stockbell.SubscriptionFilter{ShopID: &other.ID, VariantID: &variant.ID})
			if err != nil || len(subs) != 1 || subs[0].Status != stockbell.SubscriptionQueued {
				t.Fatalf("the other store's shopper: %+v %v", subs, err)
			}
		})
	}
}
