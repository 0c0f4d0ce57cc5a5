package store_test

import (
	"slices"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// storePayload records a webhook receipt of the shop with the payload and
// returns its id.
func storePayload(t *testing.T, db *store.DB, shop *stockbell.Shop, eventID, payload string) int64 {
	t.Helper()
	r := &stockbell.WebhookReceipt{Platform: stockbell.PlatformShopify, ShopID: &shop.ID, Domain: shop.Domain,
		EventID: eventID, Topic: "orders/create", Payload: []byte(payload)}
	_, err := db.RecordReceipt(ctx, r)
	must(t, err)
	return r.ID
}

// payloadOf reads a stored receipt's payload.
func payloadOf(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	r, err := db.FindReceipt(ctx, id)
	must(t, err)
	return string(r.Payload)
}

// receiptLastError reads a stored receipt's last processing error.
func receiptLastError(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	var lastError string
	must(t, db.DB.GetContext(ctx, &lastError, db.DB.Rebind(`SELECT last_error FROM webhook_receipts WHERE id = ?`), id))
	return lastError
}

// wantJobError checks that the job has one recorded error, want.
func wantJobError(t *testing.T, db *store.DB, job int64, want string) {
	t.Helper()
	if errs := jobErrors(t, db, job); len(errs) != 1 || errs[0].Error != want {
		t.Errorf("the job's errors after the erasure: %+v, want one: %q", errs, want)
	}
}

// TestPrivacyFindsPunctuatedPhone: a platform sends a phone number as the
// shopper typed it, its digits grouped by spaces, dashes, dots or
// parentheses, and an error can quote it so. A data request for
// +14155550100 reports the event naming it so; its erasure empties the
// payloads and rewrites the errors that name it so, and leaves a longer
// number that holds it, and a national spelling, which names no country.
func TestPrivacyFindsPunctuatedPhone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		const phone = "+14155550100"
		insertEvent(t, db, shop.ID, nil, `{"reason":"twilio 400: The 'To' number +1 415 555 0100 is not a mobile number"}`)
		named := lastID(t, db, "events")
		insertEvent(t, db, shop.ID, nil, `{"reason":"The 'To' number +1 415 555 01009 is not valid"}`)
		order := storePayload(t, db, shop, "o1", `{"id":1,"phone":null,"customer":{"phone":"+1 (415) 555-0100"},
			"shipping_address":{"phone":"+1.415.555.0100","country_code":"US"}}`)
		spaced := storePayload(t, db, shop, "o2", `{"id":2,"billing_address":{"phone":"+1 415-555-0100"}}`)
		longer := storePayload(t, db, shop, "o3", `{"id":3,"billing_address":{"phone":"+1 415-555-01009"}}`)
		national := storePayload(t, db, shop, "o4", `{"id":4,"billing_address":{"phone":"(415) 555-0100"}}`)
		must(t, db.RetryReceipt(ctx, national, time.Minute, "orders/create: no variant for (415) 555-0100's order"))
		job := queueFailedJob(t, db, stockbell.SendMessageJob{ShopID: shop.ID, MessageID: 1}, "retryable",
			attemptError{At: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Attempt: 1, Error: "twilio 400: +1-415-555-0100 is unreachable"})

		data, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Phone: phone})
		must(t, err)
		if len(data.Events) != 1 || data.Events[0].ID != named {
			t.Fatalf("events reported: %+v, want event %d alone", data.Events, named)
		}

		redactAsExported(t, db, stockbell.Contact{ShopID: shop.ID, Phone: phone}, 3) // order, spaced, the job's error
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE id = ?`, named); n != 0 {
			t.Error("the event naming the number remains")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE id = ?`, named+1); n != 1 {
			t.Error("the event naming a longer number was erased")
		}
		for _, id := range []int64{order, spaced} {
			if p := payloadOf(t, db, id); p != "" {
				t.Errorf("receipt %d still holds %s", id, p)
			}
		}
		for _, id := range []int64{longer, national} {
			if p := payloadOf(t, db, id); p == "" {
				t.Errorf("receipt %d, which does not name the number in international form, was emptied", id)
			}
		}
		if lastError := receiptLastError(t, db, national); lastError != "orders/create: no variant for (415) 555-0100's order" {
			t.Errorf("a national spelling in an error was rewritten: %q", lastError)
		}
		wantJobError(t, db, job, "twilio 400: [erased] is unreachable")
	})
}

// TestRedactContactErasesEscapedMentions: an error can quote a JSON body
// (an SMS provider's or a merchant endpoint's answer) whose encoder
// escaped the characters around the address (Go and Rails write < as
// \u003c), or a line break before it; the job queue keeps the error as a
// JSON string, escaping it once more. Erasing Ann rewrites those mentions
// in a job's errors and in a receipt's last error, and leaves Joann's.
func TestRedactContactErasesEscapedMentions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		quoted := `webhook 422: {"error":"\u003cann@example.com\u003e and \u003cjoann@example.com\u003e unknown","to":"\nann@example.com"}`
		job := queueFailedJob(t, db, stockbell.SendMessageJob{ShopID: shop.ID, MessageID: 1}, "retryable",
			attemptError{At: at, Attempt: 1, Error: quoted})
		r := receipt(&shop.ID, "evt-1")
		_, err := db.RecordReceipt(ctx, r)
		must(t, err)
		must(t, db.RetryReceipt(ctx, r.ID, time.Minute, "shopify 422: "+quoted))

		redactAsExported(t, db, stockbell.Contact{ShopID: shop.ID, Email: "ann@example.com"}, 2)

		want := `webhook 422: {"error":"\u003c[erased]\u003e and \u003cjoann@example.com\u003e unknown","to":"\n[erased]"}`
		wantJobError(t, db, job, want)
		if lastError := receiptLastError(t, db, r.ID); lastError != "shopify 422: "+want {
			t.Errorf("the receipt's last error: %q", lastError)
		}
	})
}

// TestPrivacyFindsAddressBeyondASCIIInAnyCase: SQLite's lower() folds
// ASCII alone (and PostgreSQL's reads a payload's bytes escaped), so an
// address with an upper-case letter beyond ASCII was no candidate. A data
// request for bücher@example.com reports the event naming BÜCHER@…; its
// erasure empties the payloads naming it, in Unicode or as PHP escapes it
// (upper-case hex too), also quoted in an error as the job queue keeps
// it, and so does an erasure naming an international domain in its ASCII
// form for a payload spelling it in Unicode; hBÜCHER@… is left.
func TestPrivacyFindsAddressBeyondASCIIInAnyCase(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		insertEvent(t, db, shop.ID, nil, `{"recipient":"BÜCHER@example.com"}`)
		named := lastID(t, db, "events")
		insertEvent(t, db, shop.ID, nil, `{"recipient":"hBÜCHER@example.com"}`)
		upper := storePayload(t, db, shop, "o1", `{"customer":{"email":"BÜCHER@Example.com"}}`)
		php := storePayload(t, db, shop, "o2", `{"customer":{"email":"B\u00DCCHER@example.com"}}`)
		idn := storePayload(t, db, shop, "o3", `{"customer":{"email":"ANNA@BÜCHER.example"}}`)
		other := storePayload(t, db, shop, "o4", `{"customer":{"email":"hBÜCHER@example.com"}}`)
		quoted := `prestashop webservice answered 400: {"email":"B\u00dcCHER@example.com"}`
		job := queueFailedJob(t, db, stockbell.SendMessageJob{ShopID: shop.ID, MessageID: 1}, "retryable",
			attemptError{At: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Attempt: 1, Error: quoted})
		must(t, db.RetryReceipt(ctx, other, time.Minute, quoted))

		data, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Email: "bücher@example.com"})
		must(t, err)
		if len(data.Events) != 1 || data.Events[0].ID != named {
			t.Fatalf("events reported: %+v, want event %d alone", data.Events, named)
		}

		redactAsExported(t, db, stockbell.Contact{ShopID: shop.ID, Email: "bücher@example.com"}, 4) // upper, php, the errors
		redactAsExported(t, db, stockbell.Contact{ShopID: shop.ID, Email: "anna@xn--bcher-kva.example"}, 1)
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE id IN (?, ?)`, named, named+1); n != 1 {
			t.Errorf("%d of the two events remain, want the one naming hbücher@…", n)
		}
		for _, id := range []int64{upper, php, idn} {
			if p := payloadOf(t, db, id); p != "" {
				t.Errorf("receipt %d still holds %s", id, p)
			}
		}
		if p := payloadOf(t, db, other); p == "" {
			t.Error("the payload naming hbücher@… was emptied")
		}
		want := `prestashop webservice answered 400: {"email":"[erased]"}`
		wantJobError(t, db, job, want)
		if lastError := receiptLastError(t, db, other); lastError != want {
			t.Errorf("the receipt's last error: %q", lastError)
		}
	})
}

// TestPrivacyFindsInternationalAndTrunkPrefixes: a number is also written
// with the international prefix 00 instead of + ("0044 20 7946 0958") and
// with the national trunk prefix in brackets after the country code ("+44
// (0)20 7946 0958"), in a platform's payload as in a provider's error,
// and a merchant or a request can name it so. A data request for
// +442079460958, named either way, finds the subscription and the events
// naming it so; its erasure empties the payloads and rewrites the errors
// that name it so, and leaves the longer numbers that hold those
// spellings.
func TestPrivacyFindsInternationalAndTrunkPrefixes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		shop := install(t, db, stockbell.PlatformShopify, "a.myshopify.com")
		product(t, db, shop.ID, "p1", map[string]int{"v1": 0})
		sub := insertSubscription(t, db, shop.ID, variant(t, db, shop.ID, "v1").ID, "", "+442079460958", stockbell.SubscriptionQueued)
		insertEvent(t, db, shop.ID, nil, `{"reason":"twilio 400: The 'To' number 0044 20 7946 0958 is not a mobile number"}`)
		international := lastID(t, db, "events")
		insertEvent(t, db, shop.ID, nil, `{"reason":"The 'To' number +44 (0)20 7946 0958 is not a mobile number"}`)
		trunk := lastID(t, db, "events")
		insertEvent(t, db, shop.ID, nil, `{"reason":"The 'To' number 10044 20 7946 0958 is not valid"}`)
		longer := lastID(t, db, "events")
		named := storePayload(t, db, shop, "o1", `{"id":1,"customer":{"phone":"0044 20 7946 0958"}}`)
		bracketed := storePayload(t, db, shop, "o2", `{"id":2,"billing_address":{"phone":"+44 (0) 20 7946 0958"}}`)
		other := storePayload(t, db, shop, "o3", `{"id":3,"billing_address":{"phone":"+44 (0)20 7946 09589"}}`)
		must(t, db.RetryReceipt(ctx, other, time.Minute, "orders/create: no variant for 0044 (0)20 7946 0958's order"))
		job := queueFailedJob(t, db, stockbell.SendMessageJob{ShopID: shop.ID, MessageID: 1}, "retryable",
			attemptError{At: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Attempt: 1, Error: "twilio 400: 0044-20-7946-0958 is unreachable"})

		for _, asNamed := range []string{"0044 20 7946 0958", "+44 (0)20 7946 0958"} {
			data, err := db.ContactData(ctx, stockbell.Contact{ShopID: shop.ID, Phone: asNamed})
			must(t, err)
			if len(data.Subscriptions) != 1 || data.Subscriptions[0].ID != sub {
				t.Fatalf("named %q, subscriptions reported: %+v, want %d", asNamed, data.Subscriptions, sub)
			}
			if ids := eventIDs(data.Events); !slices.Equal(ids, []int64{international, trunk}) {
				t.Fatalf("named %q, events reported: %v, want %v", asNamed, ids, []int64{international, trunk})
			}
		}

		redactAsExported(t, db, stockbell.Contact{ShopID: shop.ID, Phone: "0044 20 7946 0958"}, 4) // named, bracketed, the errors
		if n := count(t, db, `SELECT COUNT(*) FROM subscriptions WHERE id = ?`, sub); n != 0 {
			t.Error("the subscription remains")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM events WHERE id IN (?, ?, ?)`, international, trunk, longer); n != 1 {
			t.Errorf("%d of the three events remain, want the one naming a longer number", n)
		}
		for _, id := range []int64{named, bracketed} {
			if p := payloadOf(t, db, id); p != "" {
				t.Errorf("receipt %d still holds %s", id, p)
			}
		}
		if p := payloadOf(t, db, other); p == "" {
			t.Error("the payload naming a longer number was emptied")
		}
		if lastError := receiptLastError(t, db, other); lastError != "orders/create: no variant for [erased]'s order" {
			t.Errorf("the receipt's last error: %q", lastError)
		}
		wantJobError(t, db, job, "twilio 400: [erased] is unreachable")
	})
}

func eventIDs(events []*stockbell.Event) []int64 {
	var ids []int64
	for _, e := range events {
		ids = append(ids, e.ID)
	}
	return ids
}
