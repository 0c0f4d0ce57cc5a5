package main

import (
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
