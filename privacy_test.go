package stockbell_test

import (
	"encoding/json"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestContactDataJSONNamesTheContactInSnakeCase: the contact of a data
// request's answer is written with snake_case fields, as the rest of the
// answer is, beside the Go field names the first answers carried.
func TestContactDataJSONNamesTheContactInSnakeCase(t *testing.T) {
	data := stockbell.ContactData{Contact: stockbell.Contact{ShopID: 7, Email: "ann@example.com", Phone: "+14155550100"},
		Subscriptions: []*stockbell.Subscription{}, Messages: []*stockbell.Message{}, Events: []*stockbell.Event{},
		Confirmations: []*stockbell.Confirmation{}}
	got, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"contact":{"shop_id":7,"email":"ann@example.com","phone":"+14155550100",` +
		`"ShopID":7,"Email":"ann@example.com","Phone":"+14155550100"},` +
		`"messages":[],"events":[],"confirmations":[],"subscriptions":[],"stored_texts":[]}`
	if string(got) != want {
		t.Fatalf("the data as JSON:\n%s\nwant\n%s", got, want)
	}
	var read stockbell.ContactData
	if err := json.Unmarshal(got, &read); err != nil || read.Contact != data.Contact {
		t.Fatalf("the JSON reads back as %+v (%v), want %+v", read.Contact, err, data.Contact)
	}
}

// TestContactDataJSONWritesStoredTextsLast: the stored texts naming the
// contact come after the sections answers carried before, in snake_case,
// and read back.
func TestContactDataJSONWritesStoredTextsLast(t *testing.T) {
	text := &stockbell.StoredText{Source: "job", ID: 12, JobKind: "send_message", Attempt: 2, Field: "error",
		At: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Text: "550 <ann@example.com>: mailbox unavailable", StoredBytes: 42}
	data := stockbell.ContactData{Contact: stockbell.Contact{ShopID: 7, Email: "ann@example.com"}, StoredTexts: []*stockbell.StoredText{text}}
	got, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"contact":{"shop_id":7,"email":"ann@example.com","phone":"","ShopID":7,"Email":"ann@example.com","Phone":""},` +
		`"messages":null,"events":null,"confirmations":null,"subscriptions":[],"stored_texts":[{"source":"job","id":12,` +
		`"job_kind":"send_message","attempt":2,"field":"error","at":"2026-03-01T12:00:00Z",` +
		`"text":"550 \u003cann@example.com\u003e: mailbox unavailable","truncated":false,"stored_bytes":42}]}`
	if string(got) != want {
		t.Fatalf("the data as JSON:\n%s\nwant\n%s", got, want)
	}
	var read stockbell.ContactData
	if err := json.Unmarshal(got, &read); err != nil || len(read.StoredTexts) != 1 || *read.StoredTexts[0] != *text {
		t.Fatalf("the JSON reads back as %+v (%v), want %+v", read.StoredTexts, err, text)
	}
}
