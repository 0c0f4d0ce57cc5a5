package main

import (
	"fmt"
	"text/tabwriter"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// apikeyUsage is what `stockbell apikey --help` prints.
const apikeyUsage = "Usage: stockbell apikey create --shop DOMAIN|KEY [--platform P] --name NAME\n       stockbell apikey list --shop DOMAIN|KEY [--platform P]\n       stockbell apikey revoke --shop DOMAIN|KEY [--platform P] --id ID\n\n" +
	"Keys to a shop's JSON admin API (/api/v1, see docs/api.md)."

func runAPIKey(env *cliEnv, args []string) error {
	return runAction(env, "apikey", apikeyUsage, []action{{"create", runAPIKeyCreate}, {"list", runAPIKeyList}, {"revoke", runAPIKeyRevoke}}, args)
}

// runAPIKeyCreate makes a key and prints it alone on the last line of
// standard output: it is shown this once and cannot be read back.
func runAPIKeyCreate(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "apikey create", "apikey create --shop DOMAIN|KEY [--platform P] --name NAME\n\nMakes a key to the shop's JSON admin API and prints it once, alone on the last line.")
	readShop := addShopFlags(fs)
	name := fs.String("name", "", "what the key is for, shown in the admin (required)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "shop", "name"); err != nil {
		return err
	}
	return withShop(env, readShop, func(db *store.DB, shop *stockbell.Shop) error {
		key, record, err := db.CreateAPIKey(env.ctx, shop.ID, *name)
		if err != nil {
			return describe(err, shop.Domain)
		}
		fmt.Fprintf(env.stdout, "API key %d %q for %s (shown once; send it as \"Authorization: Bearer KEY\"):\n%s\n",
			record.ID, record.Name, shop.Domain, key)
		return nil
	})
}

func runAPIKeyList(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "apikey list", "apikey list --shop DOMAIN|KEY [--platform P]\n\n"+
		"Lists the shop's API keys: id, the key's first characters, name, and when each was last used or revoked.")
	readShop := addShopFlags(fs)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "shop"); err != nil {
		return err
	}
	return withShop(env, readShop, func(db *store.DB, shop *stockbell.Shop) error {
		keys, err := db.FindAPIKeys(env.ctx, shop.ID)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tKEY\tNAME\tSTATE")
		for _, k := range keys {
			fmt.Fprintf(w, "%d\t%s…\t%s\t%s\n", k.ID, k.Prefix, k.Name, apiKeyState(k))
		}
		w.Flush()
		fmt.Fprintf(env.stdout, "%d API key(s)\n", len(keys))
		return nil
	})
}

func apiKeyState(k *stockbell.APIKey) string {
	switch {
	case k.Revoked():
		return "revoked " + k.RevokedAt.UTC().Format("2006-01-02 15:04 UTC")
	case k.LastUsedAt != nil:
		return "last used " + k.LastUsedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	return "never used"
}

func runAPIKeyRevoke(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "apikey revoke", "apikey revoke --shop DOMAIN|KEY [--platform P] --id ID\n\nRevokes a key: requests with it are refused from now on.")
	readShop := addShopFlags(fs)
	id := fs.Int64("id", 0, "the key's id, as apikey list prints it (required)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "shop", "id"); err != nil {
		return err
	}
	return withShop(env, readShop, func(db *store.DB, shop *stockbell.Shop) error {
		key, err := findAPIKey(env, db, shop, *id)
		if err != nil {
			return err
		}
		if key.Revoked() {
			// Revoking is idempotent: a script that revokes again succeeds.
			fmt.Fprintf(env.stdout, "API key %d of %s was already revoked (at %s).\n", *id, shop.Domain, key.RevokedAt.UTC().Format("2006-01-02 15:04 UTC"))
			return nil
		}
		if _, err := db.RevokeAPIKey(env.ctx, shop.ID, *id); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "API key %d of %s revoked.\n", *id, shop.Domain)
		return nil
	})
}

// findAPIKey returns the shop's key with the id; an id the shop has no
// key with is said so.
func findAPIKey(env *cliEnv, db *store.DB, shop *stockbell.Shop, id int64) (*stockbell.APIKey, error) {
	keys, err := db.FindAPIKeys(env.ctx, shop.ID)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.ID == id {
			return k, nil
		}
	}
	return nil, fmt.Errorf("shop %s has no API key %d (see: %s)", shop.Domain, id, commandAsRun("apikey list --shop "+shop.Domain))
}
