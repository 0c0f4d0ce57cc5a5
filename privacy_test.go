package stockbell_test

import (
	"encoding/json"
	"testing"

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
		`"messages":[],"events":[],"confirmations":[],"subscriptions":[]}`
	if string(got) != want {
		t.Fatalf("the data as JSON:\n%s\nwant\n%s", got, want)
	}
	var read stockbell.ContactData
	if err := json.Unmarshal(got, &read); err != nil || read.Contact != data.Contact {
		t.Fatalf("the JSON reads back as %+v (%v), want %+v", read.Contact, err, data.Contact)
	}
}
