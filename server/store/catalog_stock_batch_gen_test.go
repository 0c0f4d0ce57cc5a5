package store_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// stockSeed overrides the seed of TestApplyStockChangesAsOneByOne, to try
// other sequences than the fixed ones.
var stockSeed = flag.Uint64("stockseed", 0, "seed of TestApplyStockChangesAsOneByOne (0: the fixed seed)")

// batchVariants are the platform ids of the batch tests' catalog, each
// with inventory item "inv-" and the id.
var batchVariants = []string{"v1", "v2", "v3", "v4", "v5", "v6"}

// sharingVariant is a variant of batchCatalog's p2 carrying v5's inventory
// item (a combined listing's parent variant): a change naming "inv-v5"
// changes both.
const sharingVariant = "v5-parent"

// batchShop is a shop of batchCatalog with its variants' ids by platform id.
type batchShop struct {
	*stockbell.Shop
	ids map[string]int64
}

// batchCatalog installs a shop whose six variants have levels at up to
// three locations, some with and some without a platform time, and a
// shopper queued for v1, v3 and v5; and sharingVariant, with v5's item and
// levels.
func batchCatalog(t *testing.T, db *store.DB, domain string) batchShop {
	t.Helper()
	shop := install(t, db, stockbell.PlatformShopify, domain)
	at := platformT.Add(-time.Hour)
	levels := map[string][]stockbell.LocationLevel{
		"v1": {{LocationID: stockbell.DefaultLocation, Available: 0, UpdatedAt: at}, {LocationID: "paris", Available: 2, UpdatedAt: at}},
		"v2": {{LocationID: stockbell.DefaultLocation, Available: 3}, {LocationID: "lyon", Available: 1, UpdatedAt: at}},
		"v3": nil,
		"v4": {{LocationID: stockbell.DefaultLocation, Available: 0, UpdatedAt: at}, {LocationID: "paris", Available: 0, UpdatedAt: at},
			{LocationID: "lyon", Available: 5}},
		"v5": {{LocationID: "paris", Available: 1, UpdatedAt: at}},
		"v6": {{LocationID: stockbell.DefaultLocation, Available: 2, UpdatedAt: at}},
	}
	for _, p := range []struct {
		id       string
		variants []string
	}{{"p1", batchVariants[:4]}, {"p2", batchVariants[4:]}} {
		up := stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: p.id, Title: "Product " + p.id, Published: true, Source: "test:sync"}
		for _, v := range p.variants {
			up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: v, InventoryItemID: "inv-" + v, Title: "Variant " + v,
				Tracked: true, Levels: levels[v]})
		}
		if p.id == "p2" {
			up.Variants = append(up.Variants, stockbell.VariantUpsert{PlatformID: sharingVariant, InventoryItemID: "inv-v5",
				Title: "Variant v5 in its parent", Tracked: true, Levels: levels["v5"]})
		}
		_, err := db.UpsertProduct(ctx, up)
		must(t, err)
	}
	ids := map[string]int64{}
	for _, v := range append(slices.Clone(batchVariants), sharingVariant) {
		ids[v] = variant(t, db, shop.ID, v).ID
	}
	for _, v := range []string{"v1", "v3", "v5"} {
		insertSubscription(t, db, shop.ID, ids[v], "waiting-"+v+"@example.com", "", stockbell.SubscriptionQueued)
	}
	return batchShop{shop, ids}
}

// stockChangeGen makes random changes to batchVariants: pushes and reads,
// at five locations, with platform times that repeat, go back, carry
// fractions of a second or a zone, or are missing; and now and then a
// change to an unknown variant or an invalid one. ShopID is the number of
// one of two shops, 1 or 2 (forShops sets their ids), or 0 for none.
type stockChangeGen struct {
	rng *rand.Rand
	// base is the round's platform time: most changes fall in the six
	// seconds after it.
	base time.Time
	// reads a change may carry: the zero read, the one begun at the
	// round's start, the previous round's.
	reads []*stockbell.StockRead
}

var batchLocations = []string{"", stockbell.DefaultLocation, "paris", "lyon", "berlin"}

func (g *stockChangeGen) change() stockbell.StockChange {
	r := g.rng
	c := stockbell.StockChange{ShopID: 1 + int64(r.IntN(2)), LocationID: batchLocations[r.IntN(len(batchLocations))], Available: r.IntN(5),
		Disconnected: r.IntN(10) == 0, At: g.at(), Source: "test:push"}
	if r.IntN(20) == 0 {
		c.Available = -1
	}
	id := batchVariants[r.IntN(len(batchVariants))]
	switch r.IntN(3) {
	case 0:
		c.VariantPlatformID = id
	case 1:
		c.InventoryItemID = "inv-" + id
	default:
		c.VariantPlatformID, c.InventoryItemID = id, "inv-"+id
	}
	switch r.IntN(60) {
	case 0:
		c.VariantPlatformID, c.InventoryItemID = "ghost", "" // ENOTFOUND
	case 1:
		c.VariantPlatformID, c.InventoryItemID = "", "inv-ghost" // ENOTFOUND
	case 2:
		c.VariantPlatformID = "ghost" // ENOTFOUND: the platform id decides, not the item
	case 3:
		c.VariantPlatformID, c.InventoryItemID = "", "" // EINVALID: neither a variant nor an item
	case 4:
		c.ShopID = 0 // EINVALID: no shop
	}
	if r.IntN(5) == 0 {
		c.Read, c.Source = g.reads[r.IntN(len(g.reads))], "test:read"
	}
	return c
}

func (g *stockChangeGen) at() time.Time {
	r := g.rng
	var at time.Time
	switch r.IntN(10) {
	case 0:
		return time.Time{}
	case 1:
		at = g.base.Add(-time.Duration(1+r.IntN(40)) * time.Second) // older than the round
	default:
		at = g.base.Add(time.Duration(r.IntN(6)) * time.Second)
	}
	if r.IntN(4) == 0 {
		at = at.Add(time.Duration(r.IntN(int(time.Second)))) // a fraction of the same second
	}
	if r.IntN(8) == 0 {
		at = at.In(time.FixedZone("CET", 3600))
	}
	return at
}

// forShops returns the changes with the ids of the shops in place of
// their numbers.
func forShops(changes []stockbell.StockChange, shops []batchShop) []stockbell.StockChange {
	out := slices.Clone(changes)
	for i := range out {
		if n := out[i].ShopID; n > 0 {
			out[i].ShopID = shops[n-1].ID
		}
	}
	return out
}

// outcomeText describes a change's outcome without the shops' ids: a
// variant's shop is given by its number in shops.
func outcomeText(r *stockbell.StockResult, err error, shops ...batchShop) string {
	if err != nil {
		return fmt.Sprintf("error %s (field %q)", stockbell.ErrorCode(err), stockbell.ErrorField(err))
	}
	if r == nil {
		return "no result and no error"
	}
	text := resultText(r, shops)
	for _, shared := range r.Shared {
		text += "; shared: " + resultText(shared, shops)
	}
	return text
}

// resultText describes one variant's result (outcomeText).
func resultText(r *stockbell.StockResult, shops []batchShop) string {
	variant := "no variant"
	if r.Variant != nil {
		variant = fmt.Sprintf("variant %s stock %d", r.Variant.PlatformID, r.Variant.Stock)
		for n, shop := range shops {
			if shop.ID == r.Variant.ShopID && shop.ids[r.Variant.PlatformID] == r.Variant.ID {
				variant += fmt.Sprintf(" of shop %d", n+1)
			}
		}
	}
	return fmt.Sprintf("applied=%v old=%d new=%d reread=%v reason=%q %s", r.Applied, r.OldStock, r.NewStock, r.Reread, r.Reason, variant)
}

// stockState describes the shop's levels, stocks, stock jobs and events,
// in order, without its ids and domain: two shops with the same catalog
// that had the same changes have the same state.
func stockState(t *testing.T, db *store.DB, shop batchShop) []string {
	t.Helper()
	shopID, ids := shop.ID, shop.ids
	platformIDs := map[int64]string{}
	for pid, id := range ids {
		platformIDs[id] = pid
	}
	var state []string
	for _, pid := range append(slices.Clone(batchVariants), sharingVariant) {
		state = append(state, fmt.Sprintf("variant %s stock %d", pid, variant(t, db, shopID, pid).Stock))
		levels, err := db.FindInventoryLevels(ctx, shopID, ids[pid])
		must(t, err)
		for _, l := range levels {
			at := "none"
			if l.PlatformUpdatedAt != nil {
				at = l.PlatformUpdatedAt.UTC().Format(time.RFC3339Nano)
			}
			state = append(state, fmt.Sprintf("level %s %s available %d at %s origin %s", pid, l.LocationID, l.Available, at, l.Origin))
		}
	}
	jobs := stockJobs(t, db)
	for _, pid := range batchVariants {
		state = append(state, fmt.Sprintf("jobs %s %d", pid, jobs[ids[pid]]))
	}
	for _, e := range shopEvents(t, db, shopID) {
		pid := "-"
		if e.VariantID != nil {
			pid = platformIDs[*e.VariantID]
		}
		detail := strings.ReplaceAll(e.Detail, shop.Domain, "DOMAIN")
		state = append(state, fmt.Sprintf("event %s %s subscription=%v %s", e.Kind, pid, e.SubscriptionID != nil, detail))
	}
	return state
}

// shopEvents returns all the shop's events, oldest first.
func shopEvents(t *testing.T, db *store.DB, shopID int64) []*stockbell.Event {
	t.Helper()
	var all []*stockbell.Event
	for {
		events, total, err := db.FindEvents(ctx, stockbell.EventFilter{ShopID: &shopID, Offset: len(all), Limit: 1000})
		must(t, err)
		all = append(all, events...)
		if len(events) == 0 || len(all) >= total {
			break
		}
	}
	slices.Reverse(all)
	return all
}

// sameStates fails the test unless each shop of want has the state of
// the shop of got with the same number.
func sameStates(t *testing.T, what string, db *store.DB, want, got []batchShop) {
	t.Helper()
	for i := range want {
		sameState(t, fmt.Sprintf("%s, shop %d one by one (want) and in batches (got)", what, i+1), stockState(t, db, want[i]), stockState(t, db, got[i]))
	}
}

// sameState fails the test at the first line where the states differ.
func sameState(t *testing.T, what string, want, got []string) {
	t.Helper()
	for i := range max(len(want), len(got)) {
		w, g := "(nothing)", "(nothing)"
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			t.Fatalf("%s: line %d of %d/%d differs:\nwant: %s\ngot:  %s", what, i, len(want), len(got), w, g)
		}
	}
}
