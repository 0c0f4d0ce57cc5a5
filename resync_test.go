package stockbell_test

import (
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestCatalogResyncDueOncePerInterval: over the hourly fan-outs of one
// interval, every shop's periodic catalog sync is due exactly once, and
// no hour takes more than its share of the shops.
func TestCatalogResyncDueOncePerInterval(t *testing.T) {
	const shops = 240
	slots := int(stockbell.CatalogResyncInterval / stockbell.CatalogResyncFanOut)
	start := time.Date(2026, 12, 6, 13, 30, 0, 0, time.UTC)
	due := map[int64]int{}
	for hour := 0; hour < slots; hour++ {
		now := start.Add(time.Duration(hour) * stockbell.CatalogResyncFanOut)
		inHour := 0
		for id := int64(1); id <= shops; id++ {
			if stockbell.CatalogResyncDue(id, now) {
				due[id]++
				inHour++
			}
		}
		if inHour > shops/slots {
			t.Errorf("the fan-out at %s queues %d shops, want at most %d", now, inHour, shops/slots)
		}
	}
	for id := int64(1); id <= shops; id++ {
		if due[id] != 1 {
			t.Errorf("shop %d is due %d times in %s, want once", id, due[id], stockbell.CatalogResyncInterval)
		}
	}
}
