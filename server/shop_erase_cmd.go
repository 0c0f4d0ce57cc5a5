package main

import (
	"fmt"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// runShopErase erases a shop that is not installed and all its data, as
// Shopify's shop/redact does: the operator's way to erase a shop of a
// platform that sends no such request (a merchant's erasure request, a
// shop that left). Without --yes it only says what it would erase.
func runShopErase(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "shop erase", "shop erase --shop DOMAIN|KEY [--platform P] --yes\n\n"+
		"Erases a shop that is not installed (uninstalled from its platform, or disconnected) with all its data: "+
		"subscribers, alerts, catalog, settings, history and queued jobs. It cannot be undone. "+
		"Without --yes it prints what would be erased, erases nothing and exits non-zero.")
	readShop := addShopFlags(fs)
	yes := fs.Bool("yes", false, "erase: without it nothing is erased")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "shop"); err != nil {
		return err
	}
	query, err := readShop()
	if err != nil {
		return err
	}
	cfg, err := readConfig(env.getenv, publicURLUnused)
	if err != nil {
		return err
	}
	return withOperatorShop(env, query, func(db *store.DB, shop *stockbell.Shop) error {
		if shop.Active() {
			return stillInstalled(shop)
		}
		if !*yes {
			return printWhatEraseWould(env, db, shop)
		}
		return eraseShop(env, db, dataRequestAnswers(cfg, startLogger(env.getenv, env.stderr)), shop)
	})
}

// eraseShop erases the shop, then the answers to its customers' data
// requests, which only Shopify's requests write (kept by domain: a shop
// of another platform with the same domain never reaches them).
func eraseShop(env *cliEnv, db *store.DB, answers stockbell.DataRequestSink, shop *stockbell.Shop) error {
	switch err := db.DeleteShop(env.ctx, shop.ID); stockbell.ErrorCode(err) {
	case "":
	case stockbell.ECONFLICT:
		return stillInstalled(shop)
	case stockbell.ENOTFOUND:
		return fmt.Errorf("no %s shop %q: erased already? (see: %s)", shop.Platform, shop.Domain, commandAsRun("shop list"))
	default:
		return err
	}
	if shop.Platform == stockbell.PlatformShopify {
		if err := answers.EraseShopRequests(env.ctx, shop.Domain); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.stdout, "Erased %s shop %s (id %d) and all its data.\n", shop.Platform, shop.Domain, shop.ID)
	return nil
}

// printWhatEraseWould says what erasing the shop would erase, and that
// nothing was.
func printWhatEraseWould(env *cliEnv, db *store.DB, shop *stockbell.Shop) error {
	_, subscriptions, err := db.FindSubscriptions(env.ctx, stockbell.SubscriptionFilter{ShopID: &shop.ID, Limit: 1})
	if err != nil {
		return err
	}
	_, messages, err := db.FindMessages(env.ctx, stockbell.MessageFilter{ShopID: &shop.ID, Limit: 1})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "Would erase %s shop %s (id %d, %s): %d subscription(s), %d alert message(s), its catalog, settings and history.\n",
		shop.Platform, shop.Domain, shop.ID, shop.Status, subscriptions, messages)
	return fmt.Errorf("nothing erased: to erase it, run: %s", commandAsRun(eraseCommand(shop)))
}

func eraseCommand(shop *stockbell.Shop) string {
	return fmt.Sprintf("shop erase --shop %s --platform %s --yes", shop.Domain, shop.Platform)
}

// stillInstalled is the refusal to erase an installed shop: how to
// uninstall it first.
func stillInstalled(shop *stockbell.Shop) error {
	if shop.Platform == stockbell.PlatformDemo {
		// Nothing uninstalls it: a development server seeds it at every start.
		return fmt.Errorf("demo shop %s is installed and stays so: a development server seeds it at every start; it is not erased", shop.Domain)
	}
	return fmt.Errorf("%s shop %s is still installed: it is not erased; %s, then erase it", shop.Platform, shop.Domain, howToUninstall(shop))
}

// howToUninstall says how a shop of each platform is uninstalled.
func howToUninstall(shop *stockbell.Shop) string {
	switch shop.Platform {
	case stockbell.PlatformFeed, stockbell.PlatformPrestaShop:
		return "disconnect it first with: " + commandAsRun(fmt.Sprintf("shop disconnect --shop %s --platform %s", shop.Domain, shop.Platform))
	case stockbell.PlatformShopify:
		return "uninstall Stockbell first in the shop's Shopify admin (Settings > Apps)"
	case stockbell.PlatformBigCommerce:
		return "uninstall Stockbell first in the store's BigCommerce control panel (Apps > My Apps)"
	case stockbell.PlatformMagento:
		return "delete Stockbell's integration first in the store's Magento admin (System > Integrations)"
	}
	return "uninstall Stockbell from the shop's platform first"
}

// runShopDisconnect uninstalls a shop an operator connected (a catalog
// feed, a PrestaShop shop), which no platform uninstalls, as the other
// platforms' uninstall does: all sending stops and its credentials are
// erased; its data is kept until it is erased.
func runShopDisconnect(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "shop disconnect", "shop disconnect --shop DOMAIN|KEY [--platform feed|prestashop]\n\n"+
		"Uninstalls a feed or PrestaShop shop: all sending stops, a feed is no longer synced, and its credentials and module secret are erased. "+
		"Its data is kept until `shop erase`; `shop add` connects it again.")
	readShop := addShopFlags(fs)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "shop"); err != nil {
		return err
	}
	return withShop(env, readShop, func(db *store.DB, shop *stockbell.Shop) error {
		if shop.Platform != stockbell.PlatformFeed && shop.Platform != stockbell.PlatformPrestaShop {
			return fmt.Errorf("%s is a %s shop: only feed and prestashop shops are disconnected here; %s is uninstalled from its own admin",
				shop.Domain, shop.Platform, shop.Platform.Name())
		}
		if !shop.Active() {
			fmt.Fprintf(env.stdout, "%s shop %s is already disconnected (%s). Erase it with: %s\n", shop.Platform, shop.Domain, shop.Status, commandAsRun(eraseCommand(shop)))
			return nil
		}
		if err := db.UninstallShop(env.ctx, shop.ID); err != nil {
			return describe(err, shop.Domain)
		}
		fmt.Fprintf(env.stdout, "Disconnected %s shop %s: nothing is sent for it any more and its credentials are erased; its data is kept. Erase it with: %s\n",
			shop.Platform, shop.Domain, commandAsRun(eraseCommand(shop)))
		return nil
	})
}
