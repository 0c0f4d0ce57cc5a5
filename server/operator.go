package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
)

// withStore runs fn on the store of the existing database the
// configuration names, migrated and with an insert-only job queue. It never
// creates a database: a SQLite file that does not exist, or a database
// without Stockbell's schema, is an error naming the settings to check.
func withStore(env *cliEnv, fn func(db *store.DB) error) error {
	cfg, err := readConfig(env.getenv, publicURLUnused)
	if err != nil {
		return err
	}
	conn, err := openExisting(env.ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	logger := startLogger(env.getenv, env.stderr)
	if err := migrate(env.ctx, conn, cfg, logger, untold); err != nil {
		return err
	}
	if _, err := warnIfSchemaNewer(env.ctx, conn, logger); err != nil {
		return err
	}
	queue, err := jobs.New(env.ctx, jobs.Config{Database: jobsDatabase(conn, cfg.DatabaseURL)})
	if err != nil {
		return err
	}
	defer queue.Stop(context.WithoutCancel(env.ctx))
	return fn(store.New(conn, queue))
}

// missingDatabase is the error of an operator command run where the
// server's database is not: what is missing, and the settings to check.
func missingDatabase(what string) error {
	return &configError{"STOCKBELL_DATABASE_URL", what + ": set STOCKBELL_DATABASE_URL (or STOCKBELL_DATA_DIR) to the server's database, or create one with `" + commandAsRun("migrate") + "`"}
}

// checkDatabaseFile is missingDatabase for a SQLite URL whose file does
// not exist: a check that opens nothing, made before anything else is
// read or written (the development secret key, say).
func checkDatabaseFile(dbURL string) error {
	if path := store.FilePath(dbURL); path != "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return missingDatabase(fmt.Sprintf("no database at %s", path))
		}
	}
	return nil
}

// openExisting connects to a database that holds Stockbell's schema.
func openExisting(ctx context.Context, cfg *Config) (*store.Conn, error) {
	if err := checkDatabaseFile(cfg.DatabaseURL); err != nil {
		return nil, err
	}
	conn, err := store.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, &configError{cfg.databaseSetting(), err.Error()}
	}
	if migrated, err := conn.Migrated(ctx); err != nil || !migrated {
		conn.Close()
		return nil, missingDatabase("the database has no Stockbell schema")
	}
	return conn, nil
}

// shopUsage is what `stockbell shop --help` prints.
const shopUsage = "Usage: stockbell shop list [--platform P]\n       stockbell shop add --platform feed --domain DOMAIN --feed-url URL\n       stockbell shop add --platform prestashop --url URL --key-file FILE\n" +
	"       stockbell shop disconnect --shop DOMAIN|KEY [--platform feed|prestashop]\n       stockbell shop erase --shop DOMAIN|KEY [--platform P] --yes\n\n" +
	"Lists the shops Stockbell knows, adds a catalog feed or PrestaShop shop, disconnects one, or erases a shop that is not installed with all its data."

func runShop(env *cliEnv, args []string) error {
	return runAction(env, "shop", shopUsage, []action{{"list", runShopList}, {"add", runShopAdd},
		{"disconnect", runShopDisconnect}, {"erase", runShopErase}}, args)
}

// platformNames lists the platforms --platform accepts, joined by sep.
func platformNames(sep string) string {
	names := make([]string, 0, len(stockbell.Platforms()))
	for _, p := range stockbell.Platforms() {
		names = append(names, string(p))
	}
	return strings.Join(names, sep)
}

func runShopList(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "shop list", "shop list [--platform "+platformNames("|")+"]\n\n"+
		"Lists the shops Stockbell knows, installed or not, with their status and public key, then their count.")
	platform := fs.String("platform", "", "only shops of this platform")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	filter := stockbell.ShopFilter{Limit: 1000}
	if *platform != "" {
		p := stockbell.Platform(*platform)
		if !p.Valid() {
			return fmt.Errorf("--platform: unknown platform %q (want one of: %s)", *platform, platformNames(", "))
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
