package prestashop_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

var ctx = context.Background()

// The test shop, installed in /boutique: a T-shirt with a sold-out small
// and an in-stock medium, a sold-out mug that follows the shop's default
// policy, a poster taking orders when out of stock.
const (
	shirtID, shirtSmall, shirtMedium = int64(1), int64(11), int64(12)
	mugID, posterID                  = int64(2), int64(3)
	optionSmall, optionMedium        = int64(1), int64(2)
	shopPrefix                       = "/boutique"
)

// env is the PrestaShop integration on a real database, talking to the fake.
type env struct {
	t        *testing.T
	db       *store.DB
	clock    *storetest.Clock
	fake     *prestashoptest.Fake
	in       *prestashop.Integration
	registry *integrations.Registry
	// slept are the client's waits between attempts.
	slept []time.Duration
}

func newEnv(t *testing.T, db *store.DB) *env {
	clock := storetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	db.Clock = clock
	fake := prestashoptest.New(shopPrefix)
	fake.Now = clock.Now
	t.Cleanup(fake.Close)
	logger := slog.New(slog.DiscardHandler)
	sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("k"), 32))
	client := prestashop.NewClient(true, logger)
	e := &env{t: t, db: db, clock: clock, fake: fake}
	client.Sleep = func(_ context.Context, d time.Duration) error { e.slept = append(e.slept, d); return nil }
	e.in = &prestashop.Integration{Shops: db, Catalog: db, SyncLog: db, Jobs: db.Queue.(stockbell.JobInserter),
		Sealer: sealer, Client: client, Clock: clock, Logger: logger}
	e.registry = integrations.NewRegistry(db, logger)
	e.registry.Register(stockbell.PlatformPrestaShop, e.in)
	fake.Do(seedShop)
	return e
}

func seedShop(s *prestashoptest.Shop) {
	updated := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	s.OptionValues = map[int64]string{optionSmall: "S", optionMedium: "M"}
	s.Products = []*prestashoptest.Product{
		{ID: shirtID, Name: "Hummingbird T-shirt", Reference: "demo_1", Price: "19.900000", Active: true, ImageID: 12, Updated: updated,
			Combinations: []*prestashoptest.Combination{
				{ID: shirtSmall, Reference: "demo_1_s", Price: "0.000000", OptionValues: []int64{optionSmall}, Quantity: 0},
				{ID: shirtMedium, Reference: "demo_1_m", Price: "2.500000", OptionValues: []int64{optionMedium}, Quantity: 3},
			}},
		{ID: mugID, Name: "Mug", Reference: "mug", Price: "8.000000", Active: true, Updated: updated, Quantity: 0, OutOfStock: 2},
		{ID: posterID, Name: "Poster", Reference: "poster", Price: "12.000000", Active: true, Updated: updated, Quantity: 0, OutOfStock: 1},
	}
}

// connected connects the shop and runs its catalog sync.
func (e *env) connected() (*stockbell.Shop, string) {
	e.t.Helper()
	shop, secret, err := e.in.Connect(ctx, e.fake.URL()+"/", prestashoptest.Key)
	must(e.t, err)
	must(e.t, e.in.SyncCatalog(ctx, stockbell.PrestaShopCatalogSyncJob{ShopID: shop.ID}))
	return shop, secret
}

func (e *env) variant(shop *stockbell.Shop, product, attribute int64) *stockbell.VariantWithProduct {
	e.t.Helper()
	v, err := e.db.FindVariant(ctx, shop.ID, stockbell.PrestaShopVariantID(product, attribute))
	if err != nil {
		e.t.Fatalf("variant %d-%d: %v", product, attribute, err)
	}
	return v
}

// subscribe queues a shopper for the variant.
func (e *env) subscribe(shop *stockbell.Shop, v *stockbell.VariantWithProduct, email string) {
	e.t.Helper()
	_, _, err := e.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: v.ID,
		Email: email, Channels: stockbell.Channels{stockbell.ChannelEmail}})
	must(e.t, err)
}

func (e *env) syncLog(shop *stockbell.Shop) []*stockbell.Event {
	e.t.Helper()
	log, _, err := e.db.FindSyncLog(ctx, stockbell.SyncLogFilter{ShopID: shop.ID})
	must(e.t, err)
	return log
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
