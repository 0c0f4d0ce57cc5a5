package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// recordPayload stores a webhook receipt of the shop with the payload.
func recordPayload(t *testing.T, db *store.DB, shop *stockbell.Shop, eventID, payload string) *stockbell.WebhookReceipt {
	t.Helper()
	r := &stockbell.WebhookReceipt{Platform: shop.Platform, ShopID: &shop.ID, Domain: shop.Domain, EventID: eventID,
		Topic: "orders/create", Payload: []byte(payload)}
	if _, err := db.RecordReceipt(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// dataKeys reads the names of the export's data object, in order.
func dataKeys(t *testing.T, body string) []string {
	t.Helper()
	var doc struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(doc.Data)))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestPrivacyExportReportsStoredWebhooksNamingTheContact: a platform's
// webhook that named Ann is kept as received until the erasure empties
// it, so her export reports it, after the sections answers carried
// before; another shop's webhook naming her is not reported. A contact
// named only there is erased too ("Erased", not "Nothing to erase").
func TestPrivacyExportReportsStoredWebhooksNamingTheContact(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		f := newAdminFixture(t, db)
		p := newPrivacyShops(t, f, stockbell.PlatformFeed, "a.example")
		payload := `{"id":1,"customer":{"email":"Ann@Example.com"}}`
		here := recordPayload(t, db, p.shop, "o1", payload)
		recordPayload(t, db, p.other, "o1", `{"id":2,"customer":{"email":"ann@example.com"}}`)
		recordPayload(t, db, p.shop, "o2", `{"id":3,"customer":{"email":"carol@example.com"}}`)
		b := f.signIn(t, p.shop)
		token := b.get("/admin/privacy").csrf(t)

		got := b.post("/admin/privacy/export", url.Values{"csrf_token": {token}, "email": {p.ann}})
		wantStatus(t, got, http.StatusOK, "exporting Ann's data")
		want := []string{"contact", "messages", "events", "confirmations", "subscriptions", "stored_texts"}
		if keys := dataKeys(t, got.Body); !slices.Equal(keys, want) {
			t.Errorf("the export's data has %v, want %v", keys, want)
		}
		var doc struct {
			Data struct {
				StoredTexts []map[string]any `json:"stored_texts"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(got.Body), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Data.StoredTexts) != 1 {
			t.Fatalf("stored texts exported: %v, want this shop's webhook naming Ann", doc.Data.StoredTexts)
		}
		text := doc.Data.StoredTexts[0]
		for key, value := range map[string]any{"source": "webhook_receipt", "id": float64(here.ID), "platform": string(p.shop.Platform),
			"topic": "orders/create", "field": "payload", "text": payload, "truncated": false, "stored_bytes": float64(len(payload))} {
			if text[key] != value {
				t.Errorf("the stored text's %s is %v, want %v", key, text[key], value)
			}
		}

		carol := b.post("/admin/privacy/erase", url.Values{"confirm": {"yes"}, "csrf_token": {token}, "email": {"carol@example.com"}})
		if loc := carol.Header.Get("Location"); loc != "/admin/privacy?notice=privacy_erased" {
			t.Errorf("erasing a contact named only in a stored webhook redirects to %q", loc)
		}
		if left := kept(t, db, p.shop.ID, "carol@example.com", ""); len(left.StoredTexts) != 0 {
			t.Errorf("after her erasure, stored texts still name her: %+v", left.StoredTexts)
		}
	})
}
