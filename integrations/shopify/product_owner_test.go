package shopify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestProductFieldMissingIsNoAnswer: Shopify's answer to whether the shop
// has a product new to it that lacks the product field (not null: absent)
// says nothing about the product. The receipt stays pending, to be tried
// again, nothing is stored or remembered, and the sync log names the
// failure; the next answer that holds the field stores the product and
// ends the failure.
func TestProductFieldMissingIsNoAnswer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.wantFieldMissingIsNoAnswer("product", func() shopifytest.Webhook { return *e.fake.ProductCreate(shopDomain, productID) })
	})
}

// wantFieldMissingIsNoAnswer installs the T-shirt shop, with its T-shirt
// in Shopify only, and sends the body hook builds, whose processing asks
// Shopify about the T-shirt: answered without field, the receipt stays pending and the
// sync log names the failure, nothing stored; answered with it, the
// T-shirt is stored and the failure ended.
func (e *env) wantFieldMissingIsNoAnswer(field string, hook func() shopifytest.Webhook) {
	e.t.Helper()
	shop := e.install()
	e.stockTShirt()
	e.fake.OmitFields = []string{field}
	e.mustSend(hook())
	if err := e.processPending(); err == nil {
		e.t.Fatalf("an answer without the %s field was taken as an answer: the receipt was marked processed", field)
	}
	if n := e.count(`SELECT COUNT(*) FROM products WHERE shop_id = ?`, shop.ID); n != 0 {
		e.t.Fatalf("%d products stored without Shopify's answer", n)
	}
	log := e.syncLog(shop.ID, shopify.RereadSource)
	if len(log) != 1 || log[0].String() != "failed 1" || !strings.Contains(log[0].Reason, "without the "+field+" field") {
		e.t.Fatalf("after an answer without the %s field the sync log = %+v, want one failure naming it", field, log)
	}
	e.fake.OmitFields = nil
	must(e.t, e.processPending())
	e.variant(shop.ID, smallVariant)
	e.wantRecovered(shop.ID, shopify.RereadSource, "an answer with the "+field+" field")
}

// attackerProducts gives the T-shirt shop (A) n products more, each with
// one variant, and returns their ids: products whose bodies A's merchant
// could send under the victim's domain.
func (e *env) attackerProducts(n int) []int64 {
	ids := make([]int64, n)
	e.fake.Do(shopDomain, func(s *shopifytest.Shop) {
		for i := range ids {
			ids[i] = 755000000000000000 + int64(i)*10
			s.Products = append(s.Products, &shopifytest.Product{ID: ids[i], Title: "Decoy", Handle: "decoy-" + itoa(ids[i]),
				Status: "ACTIVE", Published: true, UpdatedAt: e.clock.Now(), Variants: []*shopifytest.Variant{{ID: ids[i] + 1,
					Title: "Default", Price: "1.00", Policy: "DENY", InventoryItemID: ids[i] + 2, Tracked: true}}})
		}
	})
	return ids
}

// wantBudgetSpentAtOnce drains the receipts of a flood, sent bodies under
// the victim's domain each naming an id new to it, and wants Shopify asked
// shopify.OwnerQuestionsBurst times with the victim's token since calls,
// the rest of the receipts left pending.
func (e *env) wantBudgetSpentAtOnce(calls, sent int) {
	e.t.Helper()
	left := e.drainDue()
	if n := e.victimCalls() - calls; n != shopify.OwnerQuestionsBurst {
		e.t.Fatalf("a flood of %d ids new to %s asked Shopify %d times at once, want the budget's %d", sent, victimDomain, n, shopify.OwnerQuestionsBurst)
	}
	if want := sent - shopify.OwnerQuestionsBurst; left != want {
		e.t.Fatalf("%d receipts left pending past the budget, want %d", left, want)
	}
}

// wantBudgetRestoredAndDrained follows wantBudgetSpentAtOnce: a second
// later shopify.OwnerQuestionsPerSecond questions more are asked, and the
// pending receipts are all processed as their retries come due.
func (e *env) wantBudgetRestoredAndDrained(calls int) {
	e.t.Helper()
	e.clock.Advance(time.Second)
	left := e.drainDue()
	if n := e.victimCalls() - calls; n != shopify.OwnerQuestionsBurst+shopify.OwnerQuestionsPerSecond {
		e.t.Fatalf("a second later: %d questions in all, want %d", n, shopify.OwnerQuestionsBurst+shopify.OwnerQuestionsPerSecond)
	}
	for range 10 {
		if left == 0 {
			return
		}
		e.clock.Advance(time.Minute)
		left = e.drainDue()
	}
	e.t.Fatalf("%d receipts still pending", left)
}

// TestForeignProductFloodIsRationed: bodies of many distinct products of
// another shop, sent under the victim's domain, ask Shopify with the
// victim's token at most shopify.OwnerQuestionsBurst times at once and
// shopify.OwnerQuestionsPerSecond a second after; the rest stay pending,
// acknowledged and stored, and are asked about once their retries come
// due. The victim's own new product, sent after the flood, waits its turn
// too and is then stored; nothing else of the victim changes. The flood
// spends the victim's budget only: the other shop's own new product is
// asked about and stored at once.
func TestForeignProductFloodIsRationed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fake.QueryCost = 1 // product(id){ id } costs one point
		a, b, _ := e.twoShops()
		foreign := e.attackerProducts(shopify.OwnerQuestionsBurst + 2*shopify.OwnerQuestionsPerSecond)
		calls, callsA := e.victimCalls(), e.fake.Shop(shopDomain).GraphQLCalls
		for _, id := range foreign {
			hook := *e.fake.ProductCreate(shopDomain, id)
			hook.Shop = victimDomain
			e.mustSend(hook)
		}
		e.addVase()
		e.mustSend(*e.fake.ProductCreate(victimDomain, vaseProduct))

		e.wantBudgetSpentAtOnce(calls, len(foreign)+1)
		e.mustSend(*e.fake.ProductCreate(shopDomain, foreign[0])) // new to A too: A's own budget asks
		e.drainDue()
		if v, _ := e.variant(a, foreign[0]+1); v.ProductTitle != "Decoy" {
			t.Fatalf("%s's own new product, its budget untouched by the flood under %s: stored %+v", shopDomain, victimDomain, v)
		}
		e.wantBudgetRestoredAndDrained(calls)
		if v, _ := e.variant(b, vaseVariant); v.ProductTitle != "Vase" {
			t.Fatalf("the shop's own new product: stored %+v", v)
		}
		e.wantFloodAskedOnceEach(b, calls, callsA, len(foreign)+1)
	})
}

// wantFloodAskedOnceEach ends a flood under the victim's domain (b) of
// bodies naming ids of the T-shirt shop's: Shopify was asked once for each
// of the ids with the victim's token since calls, asked about the T-shirt
// shop's own new id once with its token since callsA, and the victim
// stored no product but its lamp and vase.
func (e *env) wantFloodAskedOnceEach(b int64, calls, callsA, ids int) {
	e.t.Helper()
	if n := e.victimCalls() - calls; n != ids {
		e.t.Fatalf("%d questions in all, want one for each id (%d)", n, ids)
	}
	if n := e.count(`SELECT COUNT(*) FROM products WHERE shop_id = ? AND platform_id NOT IN (?, ?)`, b, itoa(lampProduct), itoa(vaseProduct)); n != 0 {
		e.t.Errorf("%d products of the flood stored for %s", n, victimDomain)
	}
	if n := e.fake.Shop(shopDomain).GraphQLCalls; n != callsA+1 {
		e.t.Errorf("%s's token was used %d times, want once (its own new id)", shopDomain, n-callsA)
	}
}
