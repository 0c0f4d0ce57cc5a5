package shopify_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
	"github.com/stockbell/stockbell/integrations/shopify/shopifytest"
)

// writeAnswer writes a data request's answer file as FileDataRequests
// keeps it.
func writeAnswer(t *testing.T, dir, domain, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, domain, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestEraseContactRequestsSparesLookalikes: erasing Ann's answers removes
// those that hold her, whole or cut short by a crash, and keeps Joann's (whose address
// ends with Ann's) and those of a number Ann's begins.
func TestEraseContactRequestsSparesLookalikes(t *testing.T) {
	dir := t.TempDir()
	answers := &shopify.FileDataRequests{Dir: dir, Logger: slog.New(slog.DiscardHandler)}
	shop := &stockbell.Shop{ID: 1, Domain: shopDomain}
	annsPhone := writeAnswer(t, dir, shopDomain, "2.json", `{"data":{"contact":{"phone":"+493012345678"},"subscriptions":[`)
	joanns := writeAnswer(t, dir, shopDomain, "3.json", `{"shop":"`+shopDomain+`","request_id":"3","data":{"contact":{"email":"joann@example.com"`)
	longer := writeAnswer(t, dir, shopDomain, "4.json", `{"data":{"contact":{"phone":"+4930123456789"},"subscriptions":[`)
	whole := writeAnswer(t, dir, shopDomain, "5.json", `{"data":{"contact":{"email":"ann@example.com"}}}`)

	if err := answers.EraseContactRequests(context.Background(), shop, stockbell.Contact{ShopID: 1, Email: "Ann@Example.com",
		Phone: "+493012345678"}); err != nil {
		t.Fatal(err)
	}
	if exists(annsPhone) || exists(whole) {
		t.Error("an answer holding Ann remains")
	}
	if !exists(joanns) || !exists(longer) {
		t.Error("an answer about someone else was erased")
	}
}

// TestAnswersExpire: an answer to a data request is kept for
// shopify.AnswerRetention (30 days, the time Shopify gives the merchant to
// pass it on) after it was written, then deleted by the periodic
// expiry, with its shop's directory once empty; a younger answer stays.
func TestAnswersExpire(t *testing.T) {
	if shopify.AnswerRetention != 30*24*time.Hour {
		t.Fatalf("AnswerRetention = %v, want the 30 days Shopify gives the merchant", shopify.AnswerRetention)
	}
	dir := t.TempDir()
	written := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := shopifytest.NewClock(written)
	answers := &shopify.FileDataRequests{Dir: dir, Clock: clock, Logger: slog.New(slog.DiscardHandler)}
	old := writeAnswer(t, dir, shopDomain, "1.json", `{"data":{"contact":{"email":"ann@example.com"}}}`)
	alone := writeAnswer(t, dir, "other.myshopify.com", "2.json", `{"data":{"contact":{"email":"bob@example.com"}}}`)
	young := writeAnswer(t, dir, shopDomain, "3.json", `{"data":{"contact":{"email":"joann@example.com"}}}`)
	for path, at := range map[string]time.Time{old: written, alone: written, young: written.Add(5 * 24 * time.Hour)} {
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	expire := func() {
		t.Helper()
		if err := answers.Expire(context.Background(), stockbell.ExpireDataRequestsJob{}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(shopify.AnswerRetention - time.Minute)
	expire()
	if !exists(old) || !exists(alone) || !exists(young) {
		t.Fatal("an answer younger than its retention was deleted")
	}
	clock.Advance(2 * time.Minute)
	expire()
	if exists(old) || exists(alone) {
		t.Error("an answer older than its retention remains")
	}
	if exists(filepath.Dir(alone)) {
		t.Error("the empty directory of a shop remains")
	}
	if !exists(young) {
		t.Error("an answer younger than its retention was deleted")
	}
}
