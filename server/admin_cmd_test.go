package main

import (
	"context"
	"strings"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAdminLinkHelpNamesTheLinksLifetime: `admin link --help` says how
// long the link stays valid as stockbell.SignInLinkTTL has it, so the
// help cannot drift from the link the command prints.
func TestAdminLinkHelpNamesTheLinksLifetime(t *testing.T) {
	code, help, stderr := run(t, testEnv(t, nil), "admin", "link", "--help")
	if want := "valid " + stockbell.DurationWords(stockbell.SignInLinkTTL) + ","; code != 0 || !strings.Contains(help, want) {
		t.Fatalf("admin link --help: exit %d, %q %q; want it to say %q (SignInLinkTTL)", code, help, stderr, want)
	}
	for ttl, want := range map[time.Duration]string{
		time.Minute:                     "valid 1 minute,",
		15 * time.Minute:                "valid 15 minutes,",
		90 * time.Minute:                "valid 90 minutes,",
		10*time.Minute + 30*time.Second: "valid 10m30s,",
	} {
		if got := adminLinkSynopsis(ttl); !strings.Contains(got, want) {
			t.Errorf("the synopsis for a %s link = %q, want it to say %q", ttl, got, want)
		}
	}
}

// TestAdminLinkRefusesAnUninstalledShop: a shop that is not installed
// has no admin to sign in to (its sessions end with the uninstall, and
// the sign-in page says so), so `admin link` makes no link for it, which
// would be spent on that page: it exits 1 saying the shop is not
// installed and how to install it again. An installed shop's link is
// still made.
func TestAdminLinkRefusesAnUninstalledShop(t *testing.T) {
	eachOperatorDatabase(t, func(t *testing.T, db *store.DB, getenv func(string) string) {
		env := func(k string) string {
			if k == "STOCKBELL_PUBLIC_URL" {
				return "http://localhost:8080"
			}
			return getenv(k)
		}
		for platform, reinstall := range map[stockbell.Platform]string{
			stockbell.PlatformFeed:        "shop add --platform feed --domain gone-feed.example.com --feed-url URL",
			stockbell.PlatformPrestaShop:  "shop add --platform prestashop --url URL --key-file FILE",
			stockbell.PlatformShopify:     "install Stockbell again from the shop's Shopify admin",
			stockbell.PlatformBigCommerce: "install Stockbell again from the store's BigCommerce control panel",
		} {
			domain := "gone-" + string(platform) + ".example.com"
			shop := storetest.MustShop(t, db, platform, domain)
			noErr(t, db.UninstallShop(context.Background(), shop.ID))
			code, stdout, stderr := run(t, env, "admin", "link", "--shop", domain)
			if code != 1 || strings.Contains(stdout, "token=") || !strings.Contains(stderr, string(platform)+" shop "+domain+" is not installed") ||
				!strings.Contains(stderr, reinstall) {
				t.Errorf("admin link of an uninstalled %s shop: exit %d, stdout %q, stderr %q; want exit 1, no link, and %q",
					platform, code, stdout, stderr, reinstall)
			}
		}
		storetest.MustShop(t, db, stockbell.PlatformFeed, "live.example.com")
		if code, stdout, stderr := run(t, env, "admin", "link", "--shop", "live.example.com"); code != 0 || !strings.Contains(stdout, "/admin/sign-in?token=") {
			t.Errorf("admin link of an installed shop: exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}
