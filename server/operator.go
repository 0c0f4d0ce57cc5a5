package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// openStore opens and migrates the database for an operator command.
func openStore(ctx context.Context, cfg *Config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, &configError{"STOCKBELL_DATABASE_URL", err.Error()}
	}
	return db, nil
}

// withStore runs fn on the migrated database named by the configuration.
func withStore(env *cliEnv, fn func(db *store.DB) error) error {
	cfg, err := LoadConfig(env.getenv)
	if err != nil {
		return err
	}
	db, err := openStore(env.ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrate(env.ctx, db, cfg.DatabaseURL); err != nil {
		return err
	}
	return fn(db)
}

func runShop(env *cliEnv, args []string) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprintln(env.stdout, "Usage: server shop list [--platform P]\n       server shop add --platform feed --domain DOMAIN --feed-url URL\n\n"+
			"Lists the shops Stockbell knows, or adds a catalog feed shop.")
		return errHelp
	}
	switch args[0] {
	case "list":
		return runShopList(env, args[1:])
	case "add":
		return runShopAdd(env, args[1:])
	}
	return fmt.Errorf("unknown shop command %q (want: list, add)", args[0])
}

func runShopList(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "shop list", "shop list [--platform shopify|bigcommerce|magento|prestashop|feed]")
	platform := fs.String("platform", "", "only shops of this platform")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	filter := stockbell.ShopFilter{Limit: 1000}
	if *platform != "" {
		p := stockbell.Platform(*platform)
		if !p.Valid() {
			return fmt.Errorf("--platform: unknown platform %q", *platform)
		}
		filter.Platform = &p
	}
	return withStore(env, func(db *store.DB) error {
		shops, total, err := db.FindShops(env.ctx, filter)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tPLATFORM\tDOMAIN\tSTATUS\tPUBLIC KEY\tINSTALLED")
		for _, s := range shops {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Platform, s.Domain, s.Status, s.PublicKey, s.InstalledAt.Format(time.RFC3339))
		}
		w.Flush()
		fmt.Fprintf(env.stdout, "%d shop(s)\n", total)
		return nil
	})
}
