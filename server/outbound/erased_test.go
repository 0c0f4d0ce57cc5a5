package outbound_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
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
