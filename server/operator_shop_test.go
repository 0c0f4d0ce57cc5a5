package main

import (
	"context"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestOperatorCommandsRefuseADomainTwoInstalledShopsShare: when two
// installed shops have the domain (a storefront connected as a catalog
// feed and as a PrestaShop shop), a command given that domain does not
// act on one of them unsaid (an API key, a sign-in link, settings for the
// wrong shop): it exits 1 naming each shop's platform and public key, and
// the public key then picks one. Another domain's shop is not named.
func TestOperatorCommandsRefuseADomainTwoInstalledShopsShare(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		env := func(k string) string {
			if k == "STOCKBELL_PUBLIC_URL" {
				return "http://localhost:8080"
			}
			return getenv(k)
		}
		feed := storetest.MustShop(t, db, stockbell.PlatformFeed, "twice.example.com")
		ps := storetest.MustShop(t, db, stockbell.PlatformPrestaShop, "twice.example.com")
		other := storetest.MustShop(t, db, stockbell.PlatformFeed, "other.example.com")
		for _, args := range [][]string{
			{"settings", "get"}, {"settings", "set", "--per-unit", "2"}, {"admin", "link"},
			{"apikey", "create", "--name", "ERP"}, {"apikey", "list"}, {"feed", "sync"},
		} {
			code, stdout, stderr := run(t, env, append(args, "--shop", "twice.example.com")...)
			if code != 1 || !strings.Contains(stderr, "feed "+feed.PublicKey) || !strings.Contains(stderr, "prestashop "+ps.PublicKey) ||
				strings.Contains(stderr, other.PublicKey) {
				t.Errorf("%v of a domain two shops share: exit %d, stdout %q, stderr %q; want exit 1 naming both shops' keys",
					args, code, stdout, stderr)
			}
		}
		if code, stdout, stderr := run(t, env, "settings", "get", "--shop", ps.PublicKey); code != 0 || !strings.Contains(stdout, "twice.example.com") {
			t.Errorf("settings get by public key: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if code, stdout, stderr := run(t, env, "settings", "get", "--shop", "other.example.com"); code != 0 {
			t.Errorf("settings get of a domain one shop has: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}

// operatorEnv is the environment of a command run on the test database,
// with the public URL `admin link` needs.
func operatorEnv(getenv func(string) string) func(string) string {
	return func(k string) string {
		if k == "STOCKBELL_PUBLIC_URL" {
			return "http://localhost:8080"
		}
		return getenv(k)
	}
}

// shopCommands are the actions that take --shop, each as run on a shop.
var shopCommands = [][]string{
	{"settings", "get"}, {"settings", "set", "--per-unit", "2"}, {"admin", "link"}, {"apikey", "create", "--name", "ERP"},
	{"apikey", "list"}, {"apikey", "revoke", "--id", "1"}, {"feed", "sync"}, {"shop", "disconnect"}, {"shop", "erase", "--yes"},
}

// TestOperatorCommandsRefuseADomainSeveralShopsShareInstalledOrNot: a
// domain that several shops have, installed or not, is refused by every
// command that takes --shop (exit 1, naming each shop's platform, public
// key and state, and how to pick one), where `settings`, `admin link`,
// `apikey` and `feed sync` took one of two uninstalled shops unsaid, and
// one of a shop's domain and another's storefront domain unsaid. Nothing
// is changed: no key made, no shop disconnected or erased.
func TestOperatorCommandsRefuseADomainSeveralShopsShareInstalledOrNot(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		ctx := context.Background()
		feed := storetest.MustShop(t, db, stockbell.PlatformFeed, "gone.example.com")
		ps := storetest.MustShop(t, db, stockbell.PlatformPrestaShop, "gone.example.com")
		noErr(t, db.UninstallShop(ctx, feed.ID))
		noErr(t, db.UninstallShop(ctx, ps.ID))
		mixed := storetest.MustShop(t, db, stockbell.PlatformFeed, "mixed.example.com")
		shopify, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "mixed.myshopify.com", PrimaryDomain: "mixed.example.com"})
		noErr(t, err)
		noErr(t, db.UninstallShop(ctx, shopify.ID))
		for _, c := range []struct {
			domain string
			want   []string
		}{
			{"gone.example.com", []string{"feed " + feed.PublicKey + " (gone.example.com, uninstalled)", "prestashop " + ps.PublicKey + " (gone.example.com, uninstalled)"}},
			{"mixed.example.com", []string{"feed " + mixed.PublicKey + " (mixed.example.com, installed)", "shopify " + shopify.PublicKey + " (mixed.myshopify.com, uninstalled)"}},
		} {
			for _, args := range shopCommands {
				code, stdout, stderr := run(t, operatorEnv(getenv), append(args, "--shop", c.domain)...)
				named := code == 1 && strings.Contains(stderr, "--platform") && strings.Contains(stderr, "public key")
				for _, want := range c.want {
					named = named && strings.Contains(stderr, want)
				}
				if !named {
					t.Errorf("%v --shop %s: exit %d, stdout %q, stderr %q; want exit 1 naming %q and how to pick one", args, c.domain, code, stdout, stderr, c.want)
				}
			}
		}
		for shop, status := range map[*stockbell.Shop]stockbell.ShopStatus{feed: stockbell.ShopUninstalled, ps: stockbell.ShopUninstalled,
			mixed: stockbell.ShopInstalled, shopify: stockbell.ShopUninstalled} {
			after, err := db.FindShopByID(ctx, shop.ID)
			noErr(t, err)
			keys, err := db.FindAPIKeys(ctx, shop.ID)
			noErr(t, err)
			if after.Status != status || len(keys) != 0 {
				t.Errorf("%s shop %s after the refusals: %s, %d API key(s); want %s and none", shop.Platform, shop.Domain, after.Status, len(keys), status)
			}
		}
	})
}

// TestShopEraseAndDisconnectTakeTheStorefrontDomain: `shop erase` and
// `shop disconnect` find a shop by its storefront (primary) domain as
// the other commands do, where they said "no shop": a PrestaShop shop in
// a folder (platform domain shop.example.com/boutique) is disconnected and
// erased by its storefront's host, and an uninstalled Shopify shop is
// erased by its custom domain.
func TestShopEraseAndDisconnectTakeTheStorefrontDomain(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		ctx := context.Background()
		ps, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformPrestaShop, Domain: "shop.example.com/boutique", PrimaryDomain: "shop.example.com"})
		noErr(t, err)
		code, stdout, stderr := run(t, getenv, "shop", "disconnect", "--shop", "shop.example.com")
		if code != 0 || !strings.Contains(stdout, "Disconnected prestashop shop shop.example.com/boutique") {
			t.Fatalf("shop disconnect --shop STOREFRONT: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		if code, stdout, stderr := run(t, getenv, "shop", "erase", "--shop", "https://Shop.Example.com/", "--yes"); code != 0 {
			t.Fatalf("shop erase --shop STOREFRONT: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		shopGone(t, db, ps.ID)

		shopify, err := db.InstallShop(ctx, stockbell.ShopInstall{Platform: stockbell.PlatformShopify, Domain: "bells.myshopify.com", PrimaryDomain: "www.bells.example"})
		noErr(t, err)
		noErr(t, db.UninstallShop(ctx, shopify.ID))
		if code, stdout, stderr := run(t, getenv, "shop", "erase", "--shop", "www.bells.example", "--yes"); code != 0 || !strings.Contains(stdout, "Erased shopify shop bells.myshopify.com") {
			t.Fatalf("shop erase --shop STOREFRONT of a Shopify shop: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		shopGone(t, db, shopify.ID)
	})
}

// TestEveryShopCommandTakesThePlatform: every action that takes --shop
// takes --platform too, named in its help, which picks one of the shops
// a domain names as a public key does: an API key made for the PrestaShop
// shop of a domain a feed shop shares goes to it alone, and no command
// given --platform refuses the domain. A public key of another
// platform's shop is refused.
func TestEveryShopCommandTakesThePlatform(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		ctx := context.Background()
		feed := storetest.MustShop(t, db, stockbell.PlatformFeed, "twice.example.com")
		ps := storetest.MustShop(t, db, stockbell.PlatformPrestaShop, "twice.example.com")
		for _, args := range shopCommands {
			if _, help, _ := run(t, getenv, args[0], args[1], "--help"); !strings.Contains(help, "-platform") {
				t.Errorf("%s %s --help names no --platform:\n%s", args[0], args[1], help)
			}
			if args[1] == "disconnect" || args[1] == "erase" {
				continue // changes the shop; run last below
			}
			code, stdout, stderr := run(t, operatorEnv(getenv), append(args, "--shop", "twice.example.com", "--platform", "prestashop")...)
			if strings.Contains(stderr, feed.PublicKey) || code == 2 {
				t.Errorf("%v --platform prestashop: exit %d, stdout %q, stderr %q; want the PrestaShop shop alone", args, code, stdout, stderr)
			}
		}
		for shop, want := range map[*stockbell.Shop]int{feed: 0, ps: 1} {
			if keys, err := db.FindAPIKeys(ctx, shop.ID); err != nil || len(keys) != want {
				t.Errorf("%s shop's API keys: %d, %v; want %d", shop.Platform, len(keys), err, want)
			}
		}
		code, _, stderr := run(t, getenv, "settings", "get", "--shop", feed.PublicKey, "--platform", "prestashop")
		if code != 1 || !strings.Contains(stderr, "is a feed shop") {
			t.Errorf("settings get --shop KEY of a feed shop --platform prestashop: exit %d, stderr %q", code, stderr)
		}
		if code, _, stderr := run(t, getenv, "settings", "get", "--shop", "twice.example.com", "--platform", "shopfy"); code != 1 || !strings.Contains(stderr, `unknown platform "shopfy"`) {
			t.Errorf("settings get --platform shopfy: exit %d, stderr %q", code, stderr)
		}
	})
}
