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
			if stockbell.CatalogResyncDue(&stockbell.Shop{ID: id, InstalledAt: start.AddDate(0, -1, 0)}, now) {
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

// TestCatalogResyncNotDueJustAfterInstall: in a shop's hour, a shop
// installed less than a fan-out period ago (its install's sync just ran)
// is not due; one installed a period ago is.
func TestCatalogResyncNotDueJustAfterInstall(t *testing.T) {
	now := time.Date(2026, 12, 6, 13, 30, 0, 0, time.UTC)
	for id := int64(1); ; id++ {
		if stockbell.CatalogResyncDue(&stockbell.Shop{ID: id, InstalledAt: now.AddDate(0, -1, 0)}, now) {
			if stockbell.CatalogResyncDue(&stockbell.Shop{ID: id, InstalledAt: now.Add(-time.Minute)}, now) {
				t.Error("a shop installed a minute ago is due")
			}
			if !stockbell.CatalogResyncDue(&stockbell.Shop{ID: id, InstalledAt: now.Add(-stockbell.CatalogResyncFanOut)}, now) {
				t.Error("a shop installed a fan-out period ago is not due in its hour")
			}
			return
		}
	}
}
