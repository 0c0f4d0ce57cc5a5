package bigcommerce_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/integrations/bigcommerce"
	"github.com/stockbell/stockbell/integrations/bigcommerce/bigcommercetest"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
)

var ctx = context.Background()

const storeHash = "abc123"

// The test store: a T-shirt tracked per variant at two locations, a mug
// tracked per product, a gift card not tracked, a preorder poster.
const (
	shirtID, shirtSmall, shirtLarge = int64(167), int64(509), int64(510)
	shirtSmallSKU                   = int64(461)
	mugID, mugVariant               = int64(206), int64(601)
	cardID, cardVariant             = int64(300), int64(700)
	posterID, posterVariant         = int64(400), int64(800)
	warehouse, shopFloor            = int64(1), int64(2)
)

// env is the BigCommerce integration on a real database, talking to the fake.
type env struct {
	t        *testing.T
	db       *store.DB
	clock    *bigcommercetest.Clock
	fake     *bigcommercetest.Fake
	in       *bigcommerce.Integration
	verifier *bigcommerce.WebhookVerifier
	registry *integrations.Registry
}

func newEnv(t *testing.T, db *store.DB) *env {
	clock := bigcommercetest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	db.Clock = clock
	fake := bigcommercetest.New()
	fake.Now = clock.Now
	t.Cleanup(fake.Close)
	cfg := stockbell.BigCommerceConfig{ClientID: fake.ClientID, ClientSecret: fake.ClientSecret, LoginURL: fake.URL(),
		APIURL: fake.URL(), AppURL: "https://app.example"}
	logger := slog.New(slog.DiscardHandler)
	sealer, _ := oauth.NewSealer(bytes.Repeat([]byte("k"), 32))
	client := bigcommerce.NewClient(cfg.APIURL, clock, logger)
	client.Sleep = clock.Sleep
	e := &env{t: t, db: db, clock: clock, fake: fake}
	e.in = &bigcommerce.Integration{Config: cfg, Shops: db, Catalog: db, Secrets: db, Conversions: db, SyncLog: db,
		Jobs: db.Queue.(stockbell.JobInserter), Sealer: sealer, Client: client, Clock: clock, Logger: logger}
	e.verifier = &bigcommerce.WebhookVerifier{Secrets: db, Shops: db}
	e.registry = integrations.NewRegistry(db, logger)
	e.registry.Register(stockbell.PlatformBigCommerce, e.in)
	fake.Do(storeHash, seedStore)
	return e
}

func seedStore(s *bigcommercetest.Store) {
	s.Name, s.Domain = "Bells & Shirts", "shop.bells.example"
	modified := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	s.Products = []*bigcommercetest.Product{
		{ID: shirtID, Name: "Sample Shirt", URL: "/sample-shirt/", Visible: true, Availability: "available", Tracking: "variant",
			Price: "19.99", ImageURL: "https://cdn.example/shirt.jpg", Modified: modified, Variants: []*bigcommercetest.Variant{
				{ID: shirtSmall, SKUID: shirtSmallSKU, SKU: "SHIRT-S", Options: []string{"Small"}, Levels: map[int64]int{warehouse: 0, shopFloor: 0}},
				{ID: shirtLarge, SKUID: 462, SKU: "SHIRT-L", Price: "21.50", Options: []string{"Large"}, Levels: map[int64]int{warehouse: 4, shopFloor: 1}},
			}},
		{ID: mugID, Name: "Mug", URL: "/mug/", Visible: true, Availability: "available", Tracking: "product", Price: "8.00",
			Modified: modified, Levels: map[int64]int{warehouse: 0}, Variants: []*bigcommercetest.Variant{{ID: mugVariant, SKU: "MUG", Levels: map[int64]int{}}}},
		{ID: cardID, Name: "Gift card", URL: "/gift-card/", Visible: true, Availability: "available", Tracking: "none", Price: "25",
			Modified: modified, Variants: []*bigcommercetest.Variant{{ID: cardVariant, SKU: "CARD", Levels: map[int64]int{}}}},
		{ID: posterID, Name: "Poster", URL: "/poster/", Visible: true, Availability: "preorder", Tracking: "variant", Price: "12",
			Modified: modified, Variants: []*bigcommercetest.Variant{{ID: posterVariant, SKU: "POSTER", Levels: map[int64]int{warehouse: 0}}}},
	}
}

// install gives the fake store a token and installs the shop with it sealed.
func (e *env) install() *stockbell.Shop {
	e.t.Helper()
	token := "bc_test_token"
	e.fake.Do(storeHash, func(s *bigcommercetest.Store) { s.Token = token })
	shop, err := e.db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformBigCommerce, Domain: "stores/" + storeHash,
		Seal: stockbell.SealToken(e.in.Sealer, token), Scopes: "store_v2_products_read_only"})
	if err != nil {
		e.t.Fatal(err)
	}
	return shop
}

// installed installs the shop, registers its hooks and syncs its catalog.
func (e *env) installed() *stockbell.Shop {
	e.t.Helper()
	shop := e.install()
	must(e.t, e.in.RegisterHooks(ctx, stockbell.BigCommerceRegisterHooksJob{ShopID: shop.ID}))
	must(e.t, e.in.SyncCatalog(ctx, stockbell.BigCommerceCatalogSyncJob{ShopID: shop.ID}))
	return e.shop(shop.ID)
}

func (e *env) shop(id int64) *stockbell.Shop {
	e.t.Helper()
	shop, err := e.db.FindShopByID(ctx, id)
	must(e.t, err)
	return shop
}

func (e *env) variant(shop *stockbell.Shop, id int64) *stockbell.VariantWithProduct {
	e.t.Helper()
	v, err := e.db.FindVariant(ctx, shop.ID, itoa(id))
	if err != nil {
		e.t.Fatalf("variant %d: %v", id, err)
	}
	return v
}

// deliver posts the event through the verifier and the receipt store as
// the webhook route does, then processes it as the job does.
func (e *env) deliver(scope string, data any) (created bool) {
	e.t.Helper()
	d, err := e.fake.Event(storeHash, scope, data)
	must(e.t, err)
	return e.receive(d)
}

func (e *env) receive(d *bigcommercetest.Delivery) bool {
	e.t.Helper()
	created, err := e.tryReceive(d)
	must(e.t, err)
	return created
}

// tryDeliver is deliver for another goroutine than the test's: it returns
// what went wrong.
func (e *env) tryDeliver(scope string, data any) error {
	d, err := e.fake.Event(storeHash, scope, data)
	if err != nil {
		return err
	}
	_, err = e.tryReceive(d)
	return err
}

func (e *env) tryReceive(d *bigcommercetest.Delivery) (bool, error) {
	header := make(map[string][]string)
	for k, v := range d.Headers {
		header[k] = []string{v}
	}
	rc, err := e.verifier.VerifyWebhook(ctx, header, d.Body)
	if err != nil {
		return false, err
	}
	created, err := e.db.RecordReceipt(ctx, rc)
	if err != nil {
		return false, err
	}
	return created, e.registry.ProcessReceipt(ctx, stockbell.ProcessReceiptJob{ReceiptID: rc.ID})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
