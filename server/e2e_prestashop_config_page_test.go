package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/integrations/prestashop"
	"github.com/stockbell/stockbell/integrations/prestashop/prestashoptest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// configPage runs the PrestaShop module's configuration page
// (testdata/config_page.php: the module's own getContent and client, with
// stand-ins for PrestaShop) as the merchant presses button, and returns
// what the page says and the module's settings after it.
func configPage(t *testing.T, shopURL, stockbellURL, secret, button, key string) (string, map[string]string) {
	t.Helper()
	out, err := exec.Command("php", "../integrations/prestashop/testdata/config_page.php", shopURL, stockbellURL, secret, button, key).Output()
	if err != nil {
		t.Fatalf("php config_page.php %s: %v\n%s", button, err, out)
	}
	var page struct {
		Messages []string          `json:"messages"`
		Config   map[string]string `json:"config"`
	}
	if err := json.Unmarshal(out, &page); err != nil {
		t.Fatalf("config_page.php printed %s: %v", out, err)
	}
	return strings.Join(page.Messages, "\n"), page.Config
}

// closedURL is an http URL where nothing listens.
func closedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestPrestaShopModuleConfigPageSaysWhatIsWrong: the merchant connects the
// shop and tests the connection from the module's configuration page
// (its real PHP, posting to the real server). Each failure says what is
// wrong: a Stockbell URL where nothing answers says Stockbell was not
// reached there and why; a URL that answers but is not Stockbell (the
// shop's own address pasted, say) says what answered, not that nothing
// did; a test without a saved module secret says to paste or connect one
// rather than blaming a wrong secret; Stockbell's refusal is given in its
// own words. Connected, the test says Stockbell accepted the post.
func TestPrestaShopModuleConfigPageSaysWhatIsWrong(t *testing.T) {
	requirePHP(t)
	fake := prestaShopFake(t)
	m := startServerAt(t, nil)
	shopURL := fake.URL() + "/"
	notStockbell := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notStockbell.Close)
	nowhere := closedURL(t)

	pageSays := func(name, page string, says ...string) {
		t.Helper()
		for _, want := range says {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page says %q, want it to say %q", name, page, want)
			}
		}
		if strings.Contains(page, `{"error"`) {
			t.Errorf("%s: the page shows Stockbell's JSON rather than its words: %q", name, page)
		}
	}
	page, _ := configPage(t, shopURL, nowhere, "", "connect", prestashoptest.Key)
	pageSays("connect, nothing at the URL", page, "error: ", "could not be reached at "+nowhere+"/auth/prestashop/connect: ")
	page, _ = configPage(t, shopURL, notStockbell.URL, "", "connect", prestashoptest.Key)
	pageSays("connect, not Stockbell", page, "error: ", notStockbell.URL+"/auth/prestashop/connect answered 404", "check the Stockbell URL")
	page, _ = configPage(t, shopURL, m.URL(), "", "connect", strings.Repeat("Z", 32))
	pageSays("connect, wrong key", page, "error: ", "Stockbell answered 400: PrestaShop refused the webservice key")

	page, config := configPage(t, shopURL, m.URL()+"/", "", "connect", prestashoptest.Key)
	if !strings.HasPrefix(page, "confirmation: Connected to Stockbell as") || len(config["STOCKBELL_SECRET"]) != 64 {
		t.Fatalf("connect: the page says %q, settings %v", page, config)
	}
	page, _ = configPage(t, shopURL, config["STOCKBELL_URL"], config["STOCKBELL_SECRET"], "test", "")
	pageSays("test once connected", page, "confirmation: Stockbell accepted a signed post")
	page, _ = configPage(t, shopURL, nowhere, config["STOCKBELL_SECRET"], "test", "")
	pageSays("test, nothing at the URL", page, "error: ", "could not be reached at "+nowhere+"/webhooks/prestashop: ")
	page, _ = configPage(t, shopURL, config["STOCKBELL_URL"], "", "test", "")
	pageSays("test, no secret saved", page, "error: ", "No module secret is saved")
	page, _ = configPage(t, shopURL, config["STOCKBELL_URL"], strings.Repeat("0", 64), "test", "")
	pageSays("test, wrong secret", page, "error: ", "Stockbell answered 401: ", "does not match the body and the shop's module secret")
}

// TestPrestaShopConnectPageNamesTheResourcesToTick: the connect page, in
// Chromium, tells the merchant making the key everything docs/prestashop.md
// asks of it: the webservice switched on, View (GET) on every resource the
// connect checks, on the currencies (prices then show with their
// currency) and, in a multistore, on the resources that tell which stock
// the shop sells from.
func TestPrestaShopConnectPageNamesTheResourcesToTick(t *testing.T) {
	m := startServerAt(t, nil)
	ctx := browsertest.New(t)
	browse(t, ctx, m.URL()+"/auth/prestashop/connect", "#shop_url")
	page := text(t, ctx, "main")
	wants := append(append(slices.Clone(prestashop.RequiredResources), prestashop.CurrencyResource), prestashop.OwnerResources...)
	for _, want := range append(wants, "Enable PrestaShop's webservice", "Shop association") {
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(want) + `\b`).MatchString(page) {
			t.Errorf("the connect page does not name %q:\n%s", want, page)
		}
	}
}
