package magento_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
)

func TestParseStockPost(t *testing.T) {
	post, err := magento.ParseStockPost([]byte(`{"shop":"shop.example.com","sku":"TEE-S","qty":3.0000,"is_in_stock":true,"source":"warehouse","updated_at":"2026-12-02 03:04:05"}`))
	if err != nil {
		t.Fatal(err)
	}
	at, ok := post.At()
	if !ok || !at.Equal(time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)) || post.Available() != 3 || post.Location() != "warehouse" {
		t.Fatalf("post = %+v at %s", post, at)
	}
	for body, want := range map[string]int{
		`{"sku":"A","qty":3,"is_in_stock":false}`:    0,                      // out of stock sells nothing
		`{"sku":"A","qty":-2,"is_in_stock":true}`:    0,                      // backordered below zero
		`{"sku":"A","qty":2.5,"is_in_stock":true}`:   2,                      // whole units
		`{"sku":"A","qty":1e300,"is_in_stock":true}`: stockbell.MaxAvailable, // as much as a level holds, never negative
	} {
		p, err := magento.ParseStockPost([]byte(body))
		if err != nil || p.Available() != want || p.Location() != stockbell.DefaultLocation {
			t.Errorf("%s: available %v, %v; want %d at the default source", body, p, err, want)
		}
	}
	for body, field := range map[string]string{
		`not json`: "body",
		`{"sku":"A","qty":1,"is_in_stock":true}{"sku":"B"}`:               "body", // one document, not the first of several
		`{"qty":1,"is_in_stock":true}`:                                    "sku",
		`{"sku":"A","is_in_stock":true}`:                                  "qty",
		`{"sku":"A","qty":1}`:                                             "is_in_stock",
		`{"sku":"A","qty":1,"is_in_stock":true,"updated_at":"yesterday"}`: "updated_at",
	} {
		_, err := magento.ParseStockPost([]byte(body))
		if stockbell.ErrorCode(err) != stockbell.EINVALID || stockbell.ErrorField(err) != field {
			t.Errorf("%s: %v, want EINVALID naming %s", body, err, field)
		}
	}
}
