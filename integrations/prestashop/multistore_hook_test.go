package prestashop_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// hookPost is one post the module's actionUpdateQuantity hook made.
type hookPost struct {
	Body    string   `json:"body"`
	Headers []string `json:"headers"`
}

// runStockHook runs the module's actionUpdateQuantity hook (through
// testdata/stock_hook.php) in a multistore whose context shop is the
// connected one, with the hook's id_shop ("-" for none), and returns the
// posts it made, signed at the env's clock.
func (e *env) runStockHook(secret, idShop string, product, attribute int64, quantity int) []hookPost {
	e.t.Helper()
	return e.runStockHookIn(nil, secret, idShop, product, attribute, quantity)
}

// runStockHookIn runs the hook as runStockHook does, with environ setting
// the installation (see testdata/stock_hook.php: STOCKBELL_TEST_…).
func (e *env) runStockHookIn(environ []string, secret, idShop string, product, attribute int64, quantity int) []hookPost {
	e.t.Helper()
	requirePHP(e.t)
	cmd := exec.Command("php", "testdata/stock_hook.php", e.fake.URL()+"/", secret, strconv.FormatInt(e.clock.Now().Unix(), 10),
		idShop, strconv.FormatInt(product, 10), strconv.FormatInt(attribute, 10), strconv.Itoa(quantity))
	cmd.Env = append(os.Environ(), environ...)
	out, err := cmd.Output()
	if err != nil {
		e.t.Fatalf("php testdata/stock_hook.php: %v\n%s", err, out)
	}
	var posts []hookPost
	if err := json.Unmarshal(out, &posts); err != nil {
		e.t.Fatalf("the hook printed %s: %v", out, err)
	}
	return posts
}

// deliver hands a hook's post to Stockbell as /webhooks/prestashop does:
// verified, then processed. It returns the verifier's refusal, if any.
func (e *env) deliver(p hookPost) error {
	e.t.Helper()
	header := http.Header{}
	for _, h := range p.Headers {
		name, value, _ := strings.Cut(h, ": ")
		header.Set(name, value)
	}
	rc, err := e.verifier().VerifyWebhook(ctx, header, []byte(p.Body))
	if err != nil {
		return err
	}
	must(e.t, e.in.ProcessReceipt(ctx, rc))
	return nil
}

// TestStockHookPostsOnlyTheConnectedShopsStock: in a multistore,
// PrestaShop runs actionUpdateQuantity for each shop whose stock changed,
// naming it in id_shop (an edit "for all shops" in the back office loops
// over every shop; an import or an ERP module sets another shop's stock
// from the default shop's context). Another shop's quantity must never
// become the connected shop's: it is posted as that shop's, which
// Stockbell refuses unless that shop is connected. A change of the
// context shop's own stock, of a group's shared stock (id_shop 0) or
// without id_shop is the connected shop's. Without a module secret
// nothing is posted.
func TestStockHookPostsOnlyTheConnectedShopsStock(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.subscribe(shop, e.variant(shop, shirtID, shirtSmall), "ada@example.com")
		e.clock.Add(time.Minute) // the change comes after the catalog sync's read

		for _, p := range e.runStockHook(secret, "2", shirtID, shirtSmall, 10) {
			if err := e.deliver(p); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
				t.Errorf("the second shop's post %s was not refused (err %v)", p.Body, err)
			}
		}
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 0 {
			t.Fatalf("the connected shop's small shirt has the second shop's stock: %d, want 0", v.Stock)
		}

		for i, idShop := range []string{"1", "0", "-"} {
			e.clock.Add(time.Second)
			posts := e.runStockHook(secret, idShop, shirtID, shirtSmall, i+1)
			if len(posts) != 1 {
				t.Fatalf("id_shop %s: the hook made %d posts, want 1", idShop, len(posts))
			}
			must(t, e.deliver(posts[0]))
			if v := e.variant(shop, shirtID, shirtSmall); v.Stock != i+1 {
				t.Fatalf("id_shop %s: small shirt stock %d, want %d", idShop, v.Stock, i+1)
			}
		}
		if posts := e.runStockHook("", "1", shirtID, shirtSmall, 9); len(posts) != 0 {
			t.Errorf("without a module secret the hook posted %+v", posts)
		}
	})
}

// TestStockHookPostsAGroupsSharedStockAsTheConnectedShops: a group that
// shares stock keeps one stock for its shops, so an order in another shop
// of the group changes the connected shop's stock too. The module posts
// it once, as the stock of the shop its secret was made for (kept by the
// connect form), and Stockbell applies it. Another group's stock is never
// posted as the connected shop's, and another installation, which does
// not hold the shop's module secret, cannot change it.
func TestStockHookPostsAGroupsSharedStockAsTheConnectedShops(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		shop, secret := e.connected()
		e.clock.Add(time.Minute) // the changes come after the catalog sync's read
		shared := []string{"STOCKBELL_TEST_SHARE_STOCK=1", "STOCKBELL_TEST_CONNECTED=1"}

		posts := e.runStockHookIn(append(shared, "STOCKBELL_TEST_CONTEXT_SHOP=2"), secret, "2", shirtID, shirtSmall, 6)
		if len(posts) != 1 || !strings.Contains(posts[0].Body, e.fake.URL()) {
			t.Fatalf("an order in shop 2 of the sharing group posted %+v, want one post as shop 1's stock", posts)
		}
		must(t, e.deliver(posts[0]))
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 6 {
			t.Fatalf("the group's shared stock posted from shop 2: small shirt stock %d, want 6", v.Stock)
		}

		for _, environ := range [][]string{append(shared, "STOCKBELL_TEST_CONTEXT_SHOP=3"), shared} {
			e.clock.Add(time.Second)
			for _, p := range e.runStockHookIn(environ, secret, "3", shirtID, shirtSmall, 9) {
				if err := e.deliver(p); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
					t.Errorf("group 2's stock %s was not refused (err %v)", p.Body, err)
				}
			}
		}
		e.clock.Add(time.Second)
		posts = e.runStockHookIn(shared, strings.Repeat("f", 64), "1", shirtID, shirtSmall, 9)
		if len(posts) != 1 {
			t.Errorf("a change in the connected shop of a sharing group made %d posts, want 1", len(posts))
		}
		for _, p := range posts {
			if err := e.deliver(p); stockbell.ErrorCode(err) != stockbell.EUNAUTHORIZED {
				t.Errorf("another installation's post %s was not refused (err %v)", p.Body, err)
			}
		}
		if v := e.variant(shop, shirtID, shirtSmall); v.Stock != 6 {
			t.Fatalf("another group or installation changed the small shirt's stock to %d", v.Stock)
		}
	})
}
