package outbound_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/outbound"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestDeliveryMeetingTheShopsEraseEndsQuietly: a delivery whose shop is
// erased while its message is posted, to an endpoint that then fails,
// ends without an error for the queue to retry (it retried, to find the
// endpoint gone), and records nothing of the erased shop; a delivery
// queued before the erase and run after it ends so too.
func TestDeliveryMeetingTheShopsEraseEndsQuietly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		erasing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := storetest.EraseShop(r.Context(), db, f.shop.ID); err != nil {
				t.Error(err)
			}
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		t.Cleanup(erasing.Close)
		endpoint, _, err := f.webhooks.CreateEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: f.shop.ID, URL: erasing.URL + "/hooks",
			EventTypes: []string{stockbell.WebhookSubscriptionCreated}})
		if err != nil {
			t.Fatal(err)
		}
		job := stockbell.WebhookDeliveryJob{ShopID: f.shop.ID, EndpointID: endpoint.ID, MessageID: "msg_erased",
			Payload: `{"type":"subscription.created"}`, Timestamp: time.Now().Unix()}
		for _, when := range []string{"meeting its shop's erase", "of an erased shop"} {
			if err := f.webhooks.HandleDelivery(stockbell.WithJobAttempt(ctx, 1), job); err != nil {
				t.Errorf("the delivery %s: %v, want it done", when, err)
			}
		}
		left, err := storetest.ShopRows(ctx, db, f.shop.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) > 0 {
			t.Errorf("the delivery left rows of the erased shop: %v", left)
		}
	})
}

// erasingShops are the shops with the shop erased as the disabled
// endpoint's notice looks it up: an erase the notice meets halfway.
type erasingShops struct {
	stockbell.ShopService
	db *store.DB
}

func (s erasingShops) FindShopByID(ctx context.Context, id int64) (*stockbell.Shop, error) {
	if err := storetest.EraseShop(ctx, s.db, id); err != nil {
		return nil, err
	}
	return s.ShopService.FindShopByID(ctx, id)
}

// TestDisabledEndpointNoticeMeetingTheShopsEraseEndsQuietly: the email
// telling of a disabled endpoint, whose shop is erased while it runs,
// ends without an error for the queue to retry, and sends nothing.
func TestDisabledEndpointNoticeMeetingTheShopsEraseEndsQuietly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		if err := db.GrantShopUser(ctx, stockbell.ShopUser{ShopID: f.shop.ID, UserID: "1", Email: "owner@hooks.example", Owner: true,
			GrantedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		endpoint, _, err := f.webhooks.CreateEndpoint(ctx, stockbell.WebhookEndpointCreate{ShopID: f.shop.ID, URL: "https://hooks.example/1",
			EventTypes: []string{stockbell.WebhookSubscriptionCreated}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetWebhookEndpointEnabled(ctx, f.shop.ID, endpoint.ID, false); err != nil {
			t.Fatal(err)
		}
		deps := f.webhooks.Deps
		deps.Shops = erasingShops{ShopService: db, db: db}
		// Counted at the sender: the development outbox keeps nothing of
		// an erased shop, so it would read empty whatever was sent.
		sender := &countingSender{Sender: deps.Sender}
		deps.Sender = sender
		w := outbound.New(deps, outbound.Options{Development: true, PublicURL: "https://stockbell.example"})
		if err := w.HandleEndpointDisabled(ctx, stockbell.WebhookEndpointDisabledJob{ShopID: f.shop.ID, EndpointID: endpoint.ID}); err != nil {
			t.Errorf("the notice meeting its shop's erase: %v, want it done", err)
		}
		if sender.sent != 0 {
			t.Errorf("the notice of an erased shop sent %d emails", sender.sent)
		}
	})
}

// countingSender counts the messages handed to its Sender.
type countingSender struct {
	stockbell.Sender
	sent int
}

func (s *countingSender) Send(ctx context.Context, msg stockbell.OutboundMessage) (stockbell.SendResult, error) {
	s.sent++
	return s.Sender.Send(ctx, msg)
}
