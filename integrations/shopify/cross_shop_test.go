package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// victimDomain is a second shop with the app installed: the shop whose
// domain a replayed body claims.
const victimDomain = "victim.myshopify.com"

// The victim's product: a lamp sold out at its own location.
const (
	lampProduct  = int64(733000000000000001)
	lampVariant  = int64(733000000000000002)
	lampItem     = int64(733000000000000003)
	lampLocation = int64(733000000000000004)
)

// installVictim installs the victim shop with its own token and a lamp
// sold out, synced, with a shopper waiting and one told it was back.
func (e *env) installVictim() *stockbell.Shop {
	e.t.Helper()
	token := "shpat_victim_token"
	e.fake.Do(victimDomain, func(s *shopifytest.Shop) {
		s.Token, s.Scope = token, "read_products,read_inventory,read_orders"
		s.Products = append(s.Products, &shopifytest.Product{ID: lampProduct, Title: "Lamp", Handle: "lamp", Status: "ACTIVE",
			Published: true, UpdatedAt: e.clock.Now().Add(-time.Hour), Variants: []*shopifytest.Variant{{ID: lampVariant,
				Title: "Default", Price: "40.00", Policy: "DENY", InventoryItemID: lampItem, Tracked: true,
				Levels: []shopifytest.Level{{LocationID: lampLocation}}}}})
	})
	shop, err := e.db.InstallShop(context.Background(), stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: victimDomain,
		Name: "Victim", Seal: stockbell.SealToken(e.in.Sealer, token), Scopes: "read_products,read_inventory,read_orders"})
	if err != nil {
		e.t.Fatal(err)
	}
	e.sync(shop.ID)
	lamp, _ := e.variant(shop.ID, lampVariant)
	e.queueSubscriber(shop.ID, lamp.ID, "waiting@example.com")
	e.notifiedSubscriber(shop.ID, lamp.ID, "buyer@example.com", "", e.clock.Now().Add(-time.Hour))
	return shop
}

// shopRows is everything stored for the shop that a merchant or a shopper
// could see or be sent, as text: the shop, its products, variants, levels,
// subscriptions, messages, events (the sync log among them), conversions
// and restock batches.
func (e *env) shopRows(shopID int64) string {
	e.t.Helper()
	var out strings.Builder
	for _, q := range []string{
		`SELECT * FROM shops WHERE id = ?`,
		`SELECT * FROM products WHERE shop_id = ? ORDER BY id`,
		`SELECT * FROM variants WHERE shop_id = ? ORDER BY id`,
		`SELECT l.* FROM inventory_levels l JOIN variants v ON v.id = l.variant_id WHERE v.shop_id = ? ORDER BY l.variant_id, l.location_id`,
		`SELECT * FROM subscriptions WHERE shop_id = ? ORDER BY id`,
		`SELECT * FROM messages WHERE shop_id = ? ORDER BY id`,
		`SELECT * FROM events WHERE shop_id = ? ORDER BY id`,
		`SELECT * FROM sync_failures WHERE shop_id = ? ORDER BY source`,
		`SELECT * FROM conversions WHERE shop_id = ? ORDER BY id`,
		`SELECT * FROM restock_batches WHERE shop_id = ? ORDER BY id`,
	} {
		rows, err := e.db.DB.Queryx(e.db.DB.Rebind(q), shopID)
		if err != nil {
			e.t.Fatal(err)
		}
		for rows.Next() {
			row := map[string]any{}
			if err := rows.MapScan(row); err != nil {
				e.t.Fatal(err)
			}
			keys := make([]string, 0, len(row))
			for k := range row {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				if b, ok := row[k].([]byte); ok {
					row[k] = string(b)
				}
				fmt.Fprintf(&out, "%s=%v ", k, row[k])
			}
			out.WriteString("\n")
		}
		if err := rows.Err(); err != nil {
			e.t.Fatal(err)
		}
		rows.Close()
	}
	return out.String()
}

// rowsDiff lists the rows of shopRows only before (-) and only after (+),
// the first few of each; "" when there are none.
func rowsDiff(before, after string) string {
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out []string
	for _, side := range []struct {
		sign        string
		rows, other []string
	}{{"-", b, a}, {"+", a, b}} {
		n := 0
		for _, row := range side.rows {
			if !slices.Contains(side.other, row) {
				if n++; n <= 5 {
					out = append(out, side.sign+" "+row)
				}
			}
		}
		if n > 5 {
			out = append(out, fmt.Sprintf("%s and %d more", side.sign, n-5))
		}
	}
	return strings.Join(out, "\n")
}

// foreignBodies are bodies Shopify signed for the T-shirt shop (A), about
// its own product, inventory item and order, for every subscribed topic
// whose body does not name its shop.
func (e *env) foreignBodies() []shopifytest.Webhook {
	now := e.clock.Now()
	disconnect, _ := json.Marshal(map[string]any{"inventory_item_id": smallItem, "location_id": warehouse})
	untracked := bytes.Replace(levelBody(smallItem, warehouse, 0, now), []byte(`"available":0`), []byte(`"available":null`), 1)
	order := e.fake.OrderCreated(shopDomain, shopifytest.Order{ID: 450789471, Email: "buyer@example.com", Currency: "USD",
		CreatedAt: now, Lines: []shopifytest.OrderLine{{VariantID: smallVariant, Quantity: 3, Price: "19.99"}}})
	stranger := e.fake.OrderCreated(shopDomain, shopifytest.Order{ID: 450789472, Email: "ada@example.com", Currency: "USD",
		CreatedAt: now, Lines: []shopifytest.OrderLine{{VariantID: smallVariant, Quantity: 1, Price: "19.99"}}})
	return []shopifytest.Webhook{
		*e.fake.ProductCreate(shopDomain, productID),
		*e.fake.ProductUpdate(shopDomain, productID),
		*e.fake.ProductCreate(shopDomain, largeProductID),
		*e.fake.ProductUpdate(shopDomain, largeProductID),
		{Topic: shopify.TopicProductsDelete, Body: []byte(fmt.Sprintf(`{"id":%d}`, productID))},
		{Topic: shopify.TopicInventoryLevelsUpdate, Body: levelBody(smallItem, warehouse, 7, now)},
		{Topic: shopify.TopicInventoryLevelsUpdate, Body: untracked},
		{Topic: shopify.TopicInventoryLevelsConnect, Body: levelBody(smallItem, 99999, 5, now)},
		{Topic: shopify.TopicInventoryLevelsDisconnect, Body: disconnect},
		{Topic: shopify.TopicInventoryItemsUpdate, Body: readTestdata(e.t, "inventory_items_update.json")},
		order,
		stranger,
	}
}

// TestBodySignedForOneShopChangesNothingOfAnother: Shopify signs a
// webhook's body with the app's secret, the same for every shop, and
// not its X-Shopify-Shop-Domain. A merchant who installs the app on their
// own shop (A, the T-shirt shop) receives signed bodies about their own
// products, inventory and orders, and could send each again with another
// installed shop's domain (B). Shopify's ids are global, so such a body
// names rows B does not have. Each is acknowledged (a refusal would only
// make Shopify retry a real one) and changes nothing of B or of A: no
// product planted in B's catalog, no stock, no shopper notified, no
// conversion, no event or sync log entry, no job. A product B does not
// hold is asked of Shopify with B's token, which answers that B has no such
// product, and the body is dropped with a log naming its topic and id (at
// info, or at debug when Shopify answered about the id lately and was not
// asked again); inventory bodies are dropped the same way through the
// item's read.
// One receipt at a time, and claimed together as the drainer does.
func TestBodySignedForOneShopChangesNothingOfAnother(t *testing.T) {
	for _, together := range []bool{false, true} {
		t.Run(fmt.Sprintf("together=%v", together), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				var logged bytes.Buffer
				e.in.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
				a := e.syncedTShirt()
				e.largeProduct(150)
				e.sync(a.ID)
				small, _ := e.variant(a.ID, smallVariant)
				e.queueSubscriber(a.ID, small.ID, "waiting@example.com")
				e.notifiedSubscriber(a.ID, small.ID, "ada@example.com", "", e.clock.Now().Add(-time.Hour))
				b := e.installVictim()
				e.clock.Advance(time.Minute)

				bodies := e.foreignBodies()
				beforeA, beforeB := e.shopRows(a.ID), e.shopRows(b.ID)
				jobs := e.count(`SELECT COUNT(*) FROM river_job`)
				callsA := e.fake.Shop(shopDomain).GraphQLCalls
				for _, hook := range bodies {
					hook.Shop = victimDomain
					e.mustSend(hook)
				}
				if together {
					e.drainTogether()
				} else {
					e.runWebhookJobs()
				}
				if n := e.count(`SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL OR last_error <> ''`); n != 0 {
					t.Fatalf("%d receipts left pending or failed: a foreign body is dropped, not retried", n)
				}
				if diff := rowsDiff(beforeB, e.shopRows(b.ID)); diff != "" {
					t.Errorf("bodies signed for %s changed %s:\n%s", shopDomain, victimDomain, diff)
				}
				if diff := rowsDiff(beforeA, e.shopRows(a.ID)); diff != "" {
					t.Errorf("bodies sent under %s changed %s:\n%s", victimDomain, shopDomain, diff)
				}
				if n := e.count(`SELECT COUNT(*) FROM river_job`); n != jobs {
					t.Errorf("%d jobs queued by foreign bodies", n-jobs)
				}
				if n := e.fake.Shop(shopDomain).GraphQLCalls; n != callsA {
					t.Errorf("%s's token was used %d times for bodies sent under %s", shopDomain, n-callsA, victimDomain)
				}
				for _, id := range []int64{productID, largeProductID} {
					for _, topic := range []string{shopify.TopicProductsCreate, shopify.TopicProductsUpdate} {
						line := fmt.Sprintf("topic=%s shop=%s product=%d", topic, victimDomain, id)
						if !strings.Contains(logged.String(), "level=INFO") || !strings.Contains(logged.String(), line) {
							t.Errorf("no info log of the dropped %s of product %d: %s", topic, id, logged.String())
						}
					}
				}
			})
		})
	}
}

// TestProductNewToTheShopIsStored: a products/create or update of a
// product the shop does not hold yet is stored once Shopify, asked with
// the shop's own token, answers that the shop has it; a products/update
// of a product the shop holds asks Shopify nothing.
func TestProductNewToTheShopIsStored(t *testing.T) {
	for _, topic := range []string{shopify.TopicProductsCreate, shopify.TopicProductsUpdate} {
		t.Run(topic, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				e.stockTShirt()
				hook := e.fake.ProductUpdate(shopDomain, productID)
				hook.Topic = topic
				calls := e.graphQLCalls()
				e.mustSend(*hook)
				e.runWebhookJobs()
				if v, _ := e.variant(shop.ID, smallVariant); v.Title != "Small" || v.ProductTitle != "Example T-Shirt" {
					t.Fatalf("stored %+v", v)
				}
				if n := e.graphQLCalls() - calls; n != 1 {
					t.Fatalf("%d Admin API calls to confirm a new product, want 1", n)
				}
				e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
					s.Products[0].Title, s.Products[0].UpdatedAt = "Example T-Shirt 2", e.clock.Now()
				})
				e.mustSend(*e.fake.ProductUpdate(shopDomain, productID))
				e.runWebhookJobs()
				if v, _ := e.variant(shop.ID, smallVariant); v.ProductTitle != "Example T-Shirt 2" {
					t.Fatalf("update of a held product: %+v", v)
				}
				if n := e.graphQLCalls() - calls; n != 1 {
					t.Fatalf("an update of a product the shop holds asked Shopify %d times", n-1)
				}
			})
		})
	}
}

// TestNewProductReadRefusalsAreLogged: the question whether the shop has
// a product new to it is a read a webhook's processing makes, as a read
// of an unknown inventory item is: refused by Shopify (a revoked token,
// the read_products scope missing), it stores nothing, ends the
// receipt's processing without an error and leaves a failure naming the
// cause in the sync log (shopify:reread), on the admin's banner; the next
// one Shopify answers stores the product and ends the failure. Shopify
// away (503) leaves the receipt pending, to be tried again, nothing stored.
func TestNewProductReadRefusalsAreLogged(t *testing.T) {
	for _, c := range []struct {
		name, names string
		refuse      func(s *shopifytest.Shop)
	}{
		refusals[0],
		{"missing scope", "read_products", func(s *shopifytest.Shop) { s.Scope = "read_inventory" }},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *store.DB) {
				e := newEnv(t, db)
				shop := e.install()
				e.stockTShirt()
				var before shopifytest.Shop
				e.fake.Do(shopDomain, func(s *shopifytest.Shop) { before.Token, before.Scope = s.Token, s.Scope })
				e.fake.Do(shopDomain, c.refuse)
				e.mustSend(*e.fake.ProductCreate(shopDomain, productID))
				if err := e.processPending(); err != nil {
					t.Fatalf("a %s failed the receipt (retried for ever): %v", c.name, err)
				}
				if n := e.count(`SELECT COUNT(*) FROM webhook_receipts WHERE processed_at IS NULL`); n != 0 {
					t.Fatalf("%d receipts left pending after a %s", n, c.name)
				}
				if n := e.count(`SELECT COUNT(*) FROM products WHERE shop_id = ?`, shop.ID); n != 0 {
					t.Fatalf("%d products stored without Shopify's answer", n)
				}
				log := e.syncLog(shop.ID, shopify.RereadSource)
				if fmt.Sprint(log) != "[failed 1]" || !strings.Contains(log[0].Reason, c.names) {
					t.Fatalf("after a refused read the sync log = %+v, want one failure naming %s", log, c.names)
				}
				e.wantOnBanner(shop.ID, shopify.RereadSource, log[0].Reason)
				e.fake.Do(shopDomain, func(s *shopifytest.Shop) { s.Token, s.Scope = before.Token, before.Scope })
				e.mustSend(*e.fake.ProductUpdate(shopDomain, productID))
				must(t, e.processPending())
				e.variant(shop.ID, smallVariant)
				e.wantRecovered(shop.ID, shopify.RereadSource, "a read Shopify answered")
			})
		})
	}
	t.Run("Shopify_away", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, db *store.DB) {
			e := newEnv(t, db)
			shop := e.install()
			e.stockTShirt()
			e.fake.AdminStatus = 503
			e.mustSend(*e.fake.ProductCreate(shopDomain, productID))
			if err := e.processPending(); err == nil {
				t.Fatal("a products/create Shopify could not be asked about was marked processed")
			}
			if n := e.count(`SELECT COUNT(*) FROM products WHERE shop_id = ?`, shop.ID); n != 0 {
				t.Fatalf("%d products stored without Shopify's answer", n)
			}
			e.fake.AdminStatus = 0
			must(t, e.processPending())
			e.variant(shop.ID, smallVariant)
		})
	})
}
