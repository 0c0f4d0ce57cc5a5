package stockbell_test

import (
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

const week = 7 * 24 * time.Hour

func day(n float64) time.Time { return t0.Add(time.Duration(n * 24 * float64(time.Hour))) }

func amount(s string) stockbell.Amount {
	a, err := stockbell.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// shirtOrder is an order of two shirts (variant "v1") and a mug ("v2").
func shirtOrder(email string, at time.Time) stockbell.Order {
	return stockbell.Order{ShopID: 1, PlatformID: "1001", Email: email, Currency: "EUR", CreatedAt: at,
		Total: amount("64.00"), Lines: []stockbell.OrderLine{
			{VariantPlatformID: "v1", Quantity: 1, Price: amount("25.00")},
			{VariantPlatformID: "v2", Quantity: 1, Price: amount("14.00")},
			{VariantPlatformID: "v1", Quantity: 1, Price: amount("25.00")},
			{VariantPlatformID: "", Quantity: 1, Price: amount("3.00")}, // a custom item
		}}
}

var variantIDs = map[string]int64{"v1": 11, "v2": 12}

func TestAttributeOrderWindow(t *testing.T) {
	notice := stockbell.Notice{SubscriptionID: 5, VariantID: 11, MessageID: 50, Email: "ada@example.com", SentAt: t0}
	cases := []struct {
		name    string
		at      time.Time
		clicks  []time.Time
		want    stockbell.Attribution
		counted bool
	}{
		{"an hour after", day(0.04), nil, stockbell.AttributedToNotification, true},
		{"at the end of the window", day(7), nil, stockbell.AttributedToNotification, true},
		{"after the window", day(7.01), nil, "", false},
		{"before the notification", day(-0.01), nil, "", false},
		{"after the window, clicked within it", day(10), []time.Time{day(6)}, stockbell.AttributedToClick, true},
		{"a window after the click", day(13.01), []time.Time{day(6)}, "", false},
		{"clicked after the window", day(9), []time.Time{day(8)}, "", false},
		{"ordered before the click", day(8), []time.Time{day(6.5), day(8.5)}, stockbell.AttributedToClick, true},
	}
	for _, c := range cases {
		n := notice
		n.Clicks = c.clicks
		got := stockbell.AttributeOrder(shirtOrder("Ada@Example.com ", c.at), variantIDs, []stockbell.Notice{n}, week)
		if !c.counted {
			if len(got) != 0 {
				t.Errorf("%s: counted %+v", c.name, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Via != c.want || got[0].SubscriptionID != 5 || got[0].MessageID != 50 {
			t.Errorf("%s: got %+v, want one conversion via %s", c.name, got, c.want)
			continue
		}
		if got[0].Quantity != 2 || got[0].Revenue.String() != "50.00" || got[0].Currency != "EUR" || got[0].OrderID != "1001" {
			t.Errorf("%s: conversion %+v, want 2 shirts for 50.00 EUR", c.name, got[0])
		}
	}
}

func TestAttributeOrderContacts(t *testing.T) {
	notices := []stockbell.Notice{
		{SubscriptionID: 1, VariantID: 11, Email: "ada@example.com", SentAt: day(1)},
		{SubscriptionID: 2, VariantID: 11, Email: "ada@example.com", SentAt: day(3)}, // the latest wins
		{SubscriptionID: 3, VariantID: 12, Phone: "+15555550100", SentAt: day(2)},
		{SubscriptionID: 4, VariantID: 12, Email: "bob@example.com", SentAt: day(2)},
	}
	order := shirtOrder("ada@example.com", day(4))
	got := stockbell.AttributeOrder(order, variantIDs, notices, week)
	if len(got) != 1 || got[0].SubscriptionID != 2 || got[0].NotifiedAt != day(3) {
		t.Fatalf("by email: %+v, want the latest notice of ada's shirt only", got)
	}
	order.Phone = "+15555550100"
	got = stockbell.AttributeOrder(order, variantIDs, notices, week)
	if len(got) != 2 || got[1].SubscriptionID != 3 || got[1].Revenue.String() != "14.00" || got[1].Quantity != 1 {
		t.Fatalf("by email and phone: %+v", got)
	}
	order.Email, order.Phone = "", ""
	if got := stockbell.AttributeOrder(order, variantIDs, notices, week); len(got) != 0 {
		t.Fatalf("an order without contact converted %+v", got)
	}
	if got := stockbell.AttributeOrder(shirtOrder("eve@example.com", day(4)), variantIDs, notices, week); len(got) != 0 {
		t.Fatalf("a contact never notified converted %+v", got)
	}
}

func TestOrderValidate(t *testing.T) {
	good := shirtOrder("ada@example.com", t0)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, mutate := range map[string]func(o *stockbell.Order){
		"shop_id":    func(o *stockbell.Order) { o.ShopID = 0 },
		"id":         func(o *stockbell.Order) { o.PlatformID = " " },
		"created_at": func(o *stockbell.Order) { o.CreatedAt = time.Time{} },
		"currency":   func(o *stockbell.Order) { o.Currency = "" },
		// Not an ISO 4217 code: its revenue could be added to no other.
		"currency ":  func(o *stockbell.Order) { o.Currency = "EURO" },
		"line_items": func(o *stockbell.Order) { o.Lines[0].Quantity = -1 },
	} {
		o := shirtOrder("ada@example.com", t0)
		mutate(&o)
		if err := o.Validate(); stockbell.ErrorField(err) != strings.TrimSpace(field) {
			t.Errorf("%s: Validate() = %v", field, err)
		}
	}
}
