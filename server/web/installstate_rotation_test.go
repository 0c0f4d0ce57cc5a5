package web

import (
	"strings"
	"testing"
	"time"

	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// TestStateCookieSurvivesKeyRotation: an install started before the key
// changed completes while the previous key is configured.
func TestStateCookieSurvivesKeyRotation(t *testing.T) {
	clock := shopifytest.NewClock(time.Now())
	oldKey, newKey := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	before, _ := NewStateStore(oldKey, clock, true)
	nonce, cookie := issueState(t, before, "a.myshopify.com")
	during, err := NewStateStore(newKey, clock, true, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if err, _ := verifyState(during, cookie, "a.myshopify.com", nonce); err != nil {
		t.Fatalf("the old key's state cookie during the rotation: %v", err)
	}
	after, _ := NewStateStore(newKey, clock, true)
	if err, _ := verifyState(after, cookie, "a.myshopify.com", nonce); err == nil {
		t.Fatal("the old key's state cookie was accepted without the previous key")
	}
}
