package shopify

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestForeignIDsBounded: the null answers remembered are bounded
// (ForeignIDsRemembered, the least recently used forgotten first) and
// each is trusted for ForeignIDLifetime from Shopify's answer, however
// often it is used meanwhile.
func TestForeignIDsBounded(t *testing.T) {
	var f foreignIDs
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := start
	clock := func() time.Time { return now }
	key := func(i int) foreignKey {
		return foreignKey{shopID: 1, domain: "victim.myshopify.com", kind: foreignProduct, id: fmt.Sprint(i)}
	}
	known := func(k foreignKey) bool {
		t.Helper()
		ok, release, err := f.claim(context.Background(), k, clock)
		if err != nil {
			t.Fatal(err)
		}
		if release != nil {
			release()
		}
		return ok
	}
	for i := range ForeignIDsRemembered {
		f.remember(key(i), now)
	}
	if !known(key(0)) { // used: now the most recent
		t.Fatal("the first answer is not remembered")
	}
	f.remember(key(ForeignIDsRemembered), now)
	if known(key(1)) {
		t.Fatal("past the bound, the least recently used answer is still remembered")
	}
	if !known(key(0)) || !known(key(ForeignIDsRemembered)) {
		t.Fatal("a recent answer was forgotten")
	}
	if other := (foreignKey{shopID: 2, domain: "other.myshopify.com", kind: foreignProduct, id: "0"}); known(other) {
		t.Fatal("an answer for one shop is remembered for another")
	}
	if item := (foreignKey{shopID: 1, domain: "victim.myshopify.com", kind: foreignItem, id: "0"}); known(item) {
		t.Fatal("an answer about a product is remembered for an inventory item with the same id")
	}
	now = start.Add(ForeignIDLifetime - time.Second)
	if !known(key(0)) {
		t.Fatal("an answer was forgotten before its lifetime")
	}
	now = start.Add(ForeignIDLifetime)
	if known(key(0)) {
		t.Fatal("an answer is trusted past its lifetime")
	}
	if n := f.recent.Len(); n != ForeignIDsRemembered-1 || len(f.entries) != n {
		t.Fatalf("%d answers listed, %d indexed, want %d", n, len(f.entries), ForeignIDsRemembered-1)
	}
}
