package shopify_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/shopify"
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
