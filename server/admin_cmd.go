package main

import (
	"fmt"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/web"
)

// adminUsage is what `stockbell admin --help` prints.
const adminUsage = "Usage: stockbell admin link --shop DOMAIN|KEY [--platform P] [--email ADDRESS]\n\nPrints a one-time sign-in link to an installed shop's admin."

func runAdmin(env *cliEnv, args []string) error {
	return runAction(env, "admin", adminUsage, []action{{"link", runAdminLink}}, args)
}

// runAdminLink prints a one-time link into a shop's admin: valid
// stockbell.SignInLinkTTL, used once. The URL is alone on the last line of
// standard output.
func runAdminLink(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "admin link", adminLinkSynopsis(stockbell.SignInLinkTTL))
	readShop := addShopFlags(fs)
	email := fs.String("email", "", "who the link is for, an email address shown in the admin (optional)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "shop"); err != nil {
		return err
	}
	if *email != "" {
		// Checked as the storefront checks a shopper's address.
		normalized, err := contact.NormalizeEmail(*email)
		if err != nil {
			return fmt.Errorf("--email: %s", stockbell.ErrorMessage(err))
		}
		*email = normalized
	}
	cfg, err := LoadConfig(env.getenv)
	if err != nil {
		return err
	}
	base, err := cfg.linkBase()
	if err != nil {
		return err
	}
	return withShop(env, readShop, func(db *store.DB, shop *stockbell.Shop) error {
		if !shop.Active() {
			return notInstalledForSignIn(shop)
		}
		token, link, err := db.CreateSignInLink(env.ctx, stockbell.SignInLinkCreate{ShopID: shop.ID, Email: *email})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "One-time sign-in link for %s (valid until %s, works once):\n%s\n",
			shop.Domain, link.ExpiresAt.UTC().Format("15:04 UTC"), web.SignInURL(base, token))
		return nil
	})
}

// adminLinkSynopsis is the synopsis of `stockbell admin link --help`,
// for a link valid ttl (stockbell.SignInLinkTTL).
func adminLinkSynopsis(ttl time.Duration) string {
	return "admin link --shop DOMAIN|KEY [--platform P] [--email ADDRESS]\n\nPrints a one-time sign-in link to the shop's admin (valid " +
		stockbell.DurationWords(ttl) + ", used once). A shop that is not installed has no admin to sign in to: " +
		"the command says how to install it again, and makes no link."
}

// notInstalledForSignIn is the refusal to make a sign-in link for a shop
// that is not installed: the uninstall ended its admin's sessions, and a
// session opened with a link would end on the sign-in page at once, the
// link spent. It says how the shop is installed again.
func notInstalledForSignIn(shop *stockbell.Shop) error {
	return fmt.Errorf("%s shop %s is not installed (%s): its admin opens only while it is installed, so no link was made; %s",
		shop.Platform, shop.Domain, shop.Status, howToReinstall(shop))
}

// howToReinstall says how a shop of each platform is installed again,
// its data kept.
func howToReinstall(shop *stockbell.Shop) string {
	switch shop.Platform {
	case stockbell.PlatformFeed:
		return "connect it again with: " + commandAsRun("shop add --platform feed --domain "+shop.Domain+" --feed-url URL")
	case stockbell.PlatformPrestaShop:
		return "connect it again with: " + commandAsRun("shop add --platform prestashop --url URL --key-file FILE")
	case stockbell.PlatformShopify:
		return "install Stockbell again from the shop's Shopify admin"
	case stockbell.PlatformBigCommerce:
		return "install Stockbell again from the store's BigCommerce control panel"
	case stockbell.PlatformMagento:
		return "activate Stockbell's integration again in the store's Magento admin (System > Integrations)"
	}
	return "install Stockbell again from the shop's platform"
}
