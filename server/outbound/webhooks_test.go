package outbound_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/outbound"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

var ctx = context.Background()

// receiver is a merchant's endpoint on loopback: it answers the statuses
// it is given in turn (then 204) and keeps every request.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []received
}

type received struct {
	Header http.Header
	Body   []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{Header: req.Header.Clone(), Body: body})
		status := http.StatusNoContent
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// fixture is a shop with a variant on a real store, and the webhooks.
type fixture struct {
	db       *store.DB
	shop     *stockbell.Shop
	variant  *stockbell.VariantWithProduct
	webhooks *outbound.Webhooks
}

func newFixture(t *testing.T, db *store.DB, development bool) *fixture {
	t.Helper()
	sealer, err := oauth.NewSealer([]byte("0123456789abcdef0123456789abcdef-webhooks"))
	if err != nil {
		t.Fatal(err)
	}
	shop := storetest.MustShop(t, db, stockbell.PlatformFeed, "hooks.example")
	_, err = db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: shop.ID, PlatformID: "p1", Title: "Wool Sweater", Published: true,
		Variants: []stockbell.VariantUpsert{{PlatformID: "v-m", Title: "M", Tracked: true, InventoryPolicy: stockbell.InventoryDeny,
			Levels: []stockbell.LocationLevel{{LocationID: "1", Available: 0}}}}})
	if err != nil {
		t.Fatal(err)
	}
	variant, err := db.FindVariant(ctx, shop.ID, "v-m")
	if err != nil {
		t.Fatal(err)
	}
	w := outbound.New(outbound.Deps{Endpoints: db, Shops: db, Users: db, Sealer: sealer,
		Sender: &delivery.DevSender{Logger: slog.New(slog.DiscardHandler), Outbox: db}},
		outbound.Options{Development: development, PublicURL: "https://stockbell.example"})
	return &fixture{db: db, shop: shop, variant: variant, webhooks: w}
}

func (f *fixture) subscribe(t *testing.T, email string) *stockbell.Subscription {
	t.Helper()
	sub, _, err := f.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: f.shop.ID, VariantID: f.variant.ID, Email: email,
		Channels: stockbell.Channels{stockbell.ChannelEmail}, Source: "api"})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// startQueue runs the webhook handlers on a real River client, as
// server/wire.go registers them.
func startQueue(t *testing.T, f *fixture) {
	t.Helper()
	workers := jobs.NewWorkers()
	jobs.Handle(workers, f.webhooks.HandleDelivery, 0)
	jobs.Handle(workers, f.webhooks.HandleEndpointDisabled, 0)
	queue, err := jobs.New(ctx, jobs.Config{Database: jobs.Database{DB: f.db.DB.DB, Postgres: f.db.Dialect == store.Postgres}, Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	f.db.Queue = queue
	if err := queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { queue.Stop(context.Background()) })
}

// TestDeliveryRetriedUntilAccepted: a subscription's event reaches a
// loopback endpoint that fails and then accepts, through River's
// retries: the same message id each time, each attempt signed as the
// specification says with the secret the merchant was shown, and the
// endpoint's record says it works.
func TestDeliveryRetriedUntilAccepted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		startQueue(t, f)
		rcv := newReceiver(t, http.StatusServiceUnavailable)
		endpoint, secret, err := f.webhooks.CreateEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: f.shop.ID, URL: rcv.URL + "/hooks",
			EventTypes: []string{stockbell.WebhookSubscriptionCreated}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, stockbell.WebhookSecretPrefix) {
			t.Fatalf("secret %q", secret)
		}
		sub := f.subscribe(t, "ann@example.com")
		deadline := time.Now().Add(60 * time.Second)
		for len(rcv.requests()) < 2 && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
		}
		got := rcv.requests()
		if len(got) != 2 {
			t.Fatalf("%d attempts within a minute, want 2", len(got))
		}
		key, _ := outbound.ParseSecret(secret)
		for i, r := range got {
			id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
			stamp, _ := strconv.ParseInt(ts, 10, 64)
			if id != got[0].Header.Get("webhook-id") || !strings.HasPrefix(id, "msg_") || string(r.Body) != string(got[0].Body) {
				t.Errorf("attempt %d is another message: %s %s", i+1, id, r.Body)
			}
			if !outbound.Verify(key, id, stamp, r.Body, r.Header.Get("webhook-signature")) || time.Since(time.Unix(stamp, 0)) > time.Minute {
				t.Errorf("attempt %d: signature %q over %s.%s does not verify", i+1, r.Header.Get("webhook-signature"), id, ts)
			}
		}
		var payload struct {
			Type string
			Data struct {
				Subscription struct{ ID int64 }
				Variant      struct{ ID string }
			}
		}
		if err := json.Unmarshal(got[0].Body, &payload); err != nil || payload.Type != "subscription.created" ||
			payload.Data.Subscription.ID != sub.ID || payload.Data.Variant.ID != "v-m" {
			t.Fatalf("payload %s (%v)", got[0].Body, err)
		}
		waitFor(t, func() bool {
			e, _ := db.FindWebhookEndpoint(ctx, f.shop.ID, endpoint.ID)
			return e.LastSuccessAt != nil && e.FailingSince == nil && e.Enabled()
		}, "the endpoint recorded as working")
	})
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestEndpointDisabledAfterRepeatedFailure: an endpoint that fails every
// attempt at a message is disabled at the last one (WebhookMaxAttempts,
// as the product ships) and the shop's admin users are emailed; events
// after that are not sent to it.
func TestEndpointDisabledAfterRepeatedFailure(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		rcv := newReceiver(t, 500, 500, 500, 500)
		if err := db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: f.shop.ID, UserID: "1", Email: "owner@hooks.example", Owner: true,
			GrantedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		endpoint, _, err := f.webhooks.CreateEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: f.shop.ID, URL: rcv.URL,
			EventTypes: []string{stockbell.WebhookSubscriptionCreated}})
		if err != nil {
			t.Fatal(err)
		}
		job := stockbell.WebhookDeliveryJob{EndpointID: endpoint.ID, MessageID: "msg_1", Type: "subscription.created",
			Timestamp: time.Now().Add(-time.Hour).Unix(), Payload: `{"type":"subscription.created"}`}
		if err := f.webhooks.HandleDelivery(stockbell.WithJobAttempt(ctx, 1), job); err == nil {
			t.Fatal("a failed first attempt was not retried")
		}
		if err := f.webhooks.HandleDelivery(stockbell.WithJobAttempt(ctx, stockbell.WebhookMaxAttempts), job); err != nil {
			t.Fatalf("the last attempt asked for another: %v", err)
		}
		e, _ := db.FindWebhookEndpoint(ctx, f.shop.ID, endpoint.ID)
		if e.Enabled() || !strings.Contains(e.DisabledReason, "500 Internal Server Error") {
			t.Fatalf("after the last attempt failed: %+v", e)
		}
		if err := f.webhooks.HandleEndpointDisabled(ctx, stockbell.WebhookEndpointDisabledJob{EndpointID: endpoint.ID}); err != nil {
			t.Fatal(err)
		}
		sent, _, err := db.FindOutboxMessages(ctx, stockbell.OutboxFilter{ShopID: &f.shop.ID})
		if err != nil || len(sent) != 1 || sent[0].Recipient != "owner@hooks.example" || !strings.Contains(sent[0].Text, rcv.URL) ||
			!strings.Contains(sent[0].Text, "https://stockbell.example/admin/webhooks") {
			t.Fatalf("the owner was not told: %v %+v", err, sent)
		}
		before := len(rcv.requests())
		if err := f.webhooks.HandleDelivery(stockbell.WithJobAttempt(ctx, 1), job); err != nil || len(rcv.requests()) != before {
			t.Fatalf("a disabled endpoint was called (%v)", err)
		}
	})
}

// TestPrivateEndpointsRefusedInProduction: in production an endpoint on a
// loopback, private or link-local address, or over http, is refused when
// saved; one whose name later resolves to loopback is refused when dialled.
func TestPrivateEndpointsRefusedInProduction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		dns := map[string]string{"hooks.example.com": "93.184.216.34", "inside.example.com": "10.1.2.3"}
		f.webhooks.Guard().Lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr(dns[host])}, nil
		}
		for url, want := range map[string]string{
			"https://127.0.0.1/hooks":           "webhook endpoints must be on the public internet",
			"https://[::1]/hooks":               "public internet",
			"https://169.254.169.254/latest":    "public internet",
			"https://inside.example.com/hooks":  "resolves to 10.1.2.3",
			"http://hooks.example.com/hooks":    "must begin with https://",
			"https://user:pw@hooks.example.com": "no user name or password",
		} {
			_, _, err := f.webhooks.CreateEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: f.shop.ID, URL: url,
				EventTypes: []string{stockbell.WebhookSubscriptionCreated}})
			if stockbell.ErrorField(err) != "url" || !strings.Contains(stockbell.ErrorMessage(err), want) {
				t.Errorf("%s: %v, want a url error with %q", url, err, want)
			}
		}
		if endpoints, _ := db.FindWebhookEndpoints(ctx, f.shop.ID); len(endpoints) != 0 {
			t.Fatalf("refused endpoints stored: %d", len(endpoints))
		}
		rcv := newReceiver(t)
		port := rcv.URL[strings.LastIndex(rcv.URL, ":")+1:]
		endpoint, _, err := f.webhooks.CreateEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: f.shop.ID,
			URL: "https://hooks.example.com:" + port + "/hooks", EventTypes: []string{stockbell.WebhookSubscriptionCreated}})
		if err != nil {
			t.Fatal(err)
		}
		dns["hooks.example.com"] = "127.0.0.1" // rebinding after the check
		job := stockbell.WebhookDeliveryJob{EndpointID: endpoint.ID, MessageID: "msg_2", Type: "subscription.created",
			Timestamp: time.Now().Unix(), Payload: `{}`}
		err = f.webhooks.HandleDelivery(stockbell.WithJobAttempt(ctx, 1), job)
		if err == nil || !strings.Contains(err.Error(), "refused to connect to 127.0.0.1") || len(rcv.requests()) != 0 {
			t.Fatalf("delivery to a name rebound to loopback: %v, %d requests", err, len(rcv.requests()))
		}
	})
}

// TestDisabledEndpointEmailLinksWhereTheMerchantSignsIn: the email telling
// a shop's admin users of a disabled endpoint links to the admin's
// Webhooks page where its merchant signs in: a Shopify shop's inside the
// Shopify admin when the server runs the Shopify app, a BigCommerce
// store's in its control panel when the app's id is configured, each
// shop's email to its own store and its own users; a feed shop, and a shop
// whose platform's app the server lacks, links to the server's admin.
func TestDisabledEndpointEmailLinksWhereTheMerchantSignsIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		bells := storetest.MustShop(t, db, stockbell.PlatformShopify, "bells.myshopify.com")
		chimes := storetest.MustShop(t, db, stockbell.PlatformShopify, "chimes.myshopify.com")
		bigCommerce := storetest.MustShop(t, db, stockbell.PlatformBigCommerce, "stores/abc123")
		otherStore := storetest.MustShop(t, db, stockbell.PlatformBigCommerce, "stores/def456")
		shopify := stockbell.PlatformApps{ShopifyClientID: "client-123"}
		controlPanel := stockbell.PlatformApps{BigCommerceAppID: "4242"}
		both := stockbell.PlatformApps{ShopifyClientID: "client-123", BigCommerceAppID: "4242"}
		plain := "https://stockbell.example/admin/webhooks"
		for i, c := range []struct {
			apps stockbell.PlatformApps
			shop *stockbell.Shop
			want string
		}{
			{shopify, bells, "https://admin.shopify.com/store/bells/apps/client-123/admin/webhooks"},
			{both, chimes, "https://admin.shopify.com/store/chimes/apps/client-123/admin/webhooks"},
			{controlPanel, bigCommerce, "https://store-abc123.mybigcommerce.com/manage/app/4242/admin/webhooks"},
			{both, otherStore, "https://store-def456.mybigcommerce.com/manage/app/4242/admin/webhooks"},
			{shopify, bigCommerce, plain},
			{controlPanel, bells, plain},
			{stockbell.PlatformApps{}, chimes, plain},
			{both, f.shop, plain},
		} {
			w := outbound.New(f.webhooks.Deps, outbound.Options{Development: true, PublicURL: "https://stockbell.example/", Apps: c.apps})
			owner := "owner@" + strings.ReplaceAll(c.shop.Domain, "/", "-") + ".example"
			notice := disabledEndpointNotice(t, db, w, c.shop, owner, "https://hooks.example/"+strconv.Itoa(i))
			if notice.Recipient != owner || !strings.Contains(notice.Text, ":\n"+c.want+"\n") {
				t.Errorf("%s (%s, Shopify app %q, BigCommerce app %q): the email to %s does not link to %s:\n%s", c.shop.Domain,
					c.shop.Platform, c.apps.ShopifyClientID, c.apps.BigCommerceAppID, notice.Recipient, c.want, notice.Text)
			}
		}
	})
}

// disabledEndpointNotice disables a new endpoint of the shop, whose owner
// has the address owner, and returns the shop's email that tells of it.
func disabledEndpointNotice(t *testing.T, db *store.DB, w *outbound.Webhooks, shop *stockbell.Shop, owner, url string) *stockbell.OutboxMessage {
	t.Helper()
	if err := db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: shop.ID, UserID: "1", Email: owner, Owner: true, GrantedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	endpoint, _, err := w.CreateEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: shop.ID, URL: url,
		EventTypes: []string{stockbell.WebhookSubscriptionCreated}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetWebhookEndpointEnabled(ctx, shop.ID, endpoint.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := w.HandleEndpointDisabled(ctx, stockbell.WebhookEndpointDisabledJob{ShopID: shop.ID, EndpointID: endpoint.ID}); err != nil {
		t.Fatal(err)
	}
	sent, _, err := db.FindOutboxMessages(ctx, stockbell.OutboxFilter{ShopID: &shop.ID, Limit: 1})
	if err != nil || len(sent) != 1 || !strings.Contains(sent[0].Text, url) {
		t.Fatalf("%s's owner was not told of %s: %v %+v", shop.Domain, url, err, sent)
	}
	return sent[0]
}
