package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/store"
)

// withFeeds runs fn with the feed integration on the server's existing
// database (see withStore): the jobs the command causes (the first sync,
// the restock engine's work) are queued for the server to run.
func withFeeds(env *cliEnv, fn func(db *store.DB, in *feed.Integration) error) error {
	return withPlatformParts(env, publicURLUnused, func(p platformParts) error {
		return fn(p.db, newFeedIntegration(p.cfg, p.db, p.queue, p.sealer, p.logger))
	})
}

// platformParts are what a command that connects a shop builds a platform
// integration from, outside the running server.
type platformParts struct {
	cfg    *Config
	db     *store.DB
	queue  stockbell.JobInserter
	sealer *oauth.Sealer
	logger *slog.Logger
}

// withPlatformParts runs fn on the server's existing database (see
// withStore) with its queue, the token sealer of the configured keys and a
// logger of warnings on standard error.
func withPlatformParts(env *cliEnv, need publicURLNeed, fn func(platformParts) error) error {
	cfg, err := readKeyedConfig(env.getenv, need)
	if err != nil {
		return err
	}
	// In development a missing key is generated: not where there is no
	// database for the command to work on.
	if err := checkDatabaseFile(cfg.DatabaseURL); err != nil {
		return err
	}
	if err := cfg.LoadSecretKey(env.getenv); err != nil {
		return err
	}
	return withStore(env, func(db *store.DB) error {
		queue, ok := db.Queue.(stockbell.JobInserter)
		if !ok {
			return fmt.Errorf("the job queue cannot insert jobs outside a transaction")
		}
		sealer, err := oauth.NewSealer(cfg.SubKey("token sealing", 32), cfg.PreviousSubKeys("token sealing", 32)...)
		if err != nil {
			return err
		}
		// Warnings only, in the log format, as the server writes them.
		logger := newLogger(&Config{LogFormat: cfg.LogFormat, LogLevel: max(cfg.LogLevel, slog.LevelWarn)}, env.stderr)
		warnUntrimmedSecrets(logger, cfg)
		return fn(platformParts{cfg: cfg, db: db, queue: queue, sealer: sealer, logger: logger})
	})
}

// runShopAdd adds a shop that no app store installs: a catalog feed, or a
// PrestaShop shop by its webservice key.
func runShopAdd(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "shop add", "shop add --platform feed --domain DOMAIN --feed-url URL [flags]\n"+
		"       stockbell shop add --platform prestashop --url URL --key-file FILE\n\n"+
		"Connects an inventory-aware catalog feed (JSON or XML) as a shop; the server syncs it every --interval.\n"+
		"Connects a PrestaShop shop with a webservice key and prints the module secret, once.")
	platform := fs.String("platform", "", "the shop's platform: feed or prestashop (the others install from their app store)")
	domain := fs.String("domain", "", "the storefront's domain, as the storefront snippet names the shop (required for feeds)")
	name := fs.String("name", "", "feed: the shop's name (default: the name it has, connected again, else the domain)")
	feedURL := fs.String("feed-url", "", "the feed's http(s) URL (required for feeds)")
	user := fs.String("feed-user", "", "HTTP basic auth user name of a private feed")
	password := fs.String("feed-password", "", "HTTP basic auth password of a private feed")
	header := fs.String("feed-header", "", `a header that opens a private feed, "Name: value"`)
	keep := fs.Bool("keep-credentials", false, "feed: keep the credentials the feed has (connected again), rather than give them anew")
	interval := fs.Duration("interval", stockbell.DefaultFeedInterval, fmt.Sprintf("feed: time between syncs (%s to %s)",
		stockbell.ShortDuration(stockbell.MinFeedInterval), stockbell.ShortDuration(stockbell.MaxFeedInterval)))
	shopURL := fs.String("url", "", "prestashop: the shop's base URL, https://shop.example.com (required)")
	keyFile := fs.String("key-file", "", "prestashop: a file holding the webservice key, - for standard input (required)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "platform"); err != nil {
		return err
	}
	switch p := stockbell.Platform(*platform); p {
	case stockbell.PlatformPrestaShop:
		if err := checkPlatformFlags(fs, p, "url", "key-file"); err != nil {
			return err
		}
		return addPrestaShop(env, *shopURL, *keyFile, *domain)
	case stockbell.PlatformFeed:
		if err := checkPlatformFlags(fs, p, "domain", "feed-url"); err != nil {
			return err
		}
	case stockbell.PlatformShopify, stockbell.PlatformBigCommerce, stockbell.PlatformMagento, stockbell.PlatformDemo:
		return fmt.Errorf("--platform: only feed and prestashop shops are added here (got %q); the others install Stockbell from their app store", *platform)
	default:
		return fmt.Errorf("--platform: unknown platform %q (want feed or prestashop)", *platform)
	}
	settings := stockbell.FeedSettings{Domain: *domain, Name: *name, URL: *feedURL, Interval: *interval, KeepCredentials: *keep}
	creds, err := feedCredentials(*user, *password, *header)
	if err != nil {
		return err
	}
	if *keep && creds != nil {
		fmt.Fprintln(fs.Output(), "--keep-credentials keeps the credentials the feed has: give it, or --feed-user and --feed-password, or --feed-header, not both")
		fs.Usage()
		return errUsage
	}
	settings.Credentials = creds
	return withFeeds(env, func(db *store.DB, in *feed.Integration) error {
		shop, f, err := in.Connect(env.ctx, settings)
		if err != nil {
			return describeFeedError(err)
		}
		fmt.Fprintf(env.stdout, "Feed shop %s (id %d, public key %s) reads %s every %s; its first sync is queued.\n",
			shop.Domain, shop.ID, shop.PublicKey, f.URL, f.Interval)
		return nil
	})
}

// shopAddFlagPlatform names the platform of each shop add flag that only
// one platform reads.
var shopAddFlagPlatform = map[string]stockbell.Platform{
	"name": stockbell.PlatformFeed, "feed-url": stockbell.PlatformFeed, "feed-user": stockbell.PlatformFeed,
	"feed-password": stockbell.PlatformFeed, "feed-header": stockbell.PlatformFeed, "interval": stockbell.PlatformFeed,
	"keep-credentials": stockbell.PlatformFeed,
	"url":              stockbell.PlatformPrestaShop, "key-file": stockbell.PlatformPrestaShop,
}

// checkPlatformFlags is a usage error when a flag the platform needs was
// left out, or one only another platform reads was given: that one would
// otherwise be dropped without a word.
func checkPlatformFlags(fs *flag.FlagSet, platform stockbell.Platform, required ...string) error {
	var foreign string
	fs.Visit(func(f *flag.Flag) {
		if owner, ok := shopAddFlagPlatform[f.Name]; ok && owner != platform && foreign == "" {
			foreign = f.Name
		}
	})
	if foreign != "" {
		fmt.Fprintf(fs.Output(), "--%s does not apply to --platform %s\n", foreign, platform)
		fs.Usage()
		return errUsage
	}
	return requireFlag(fs, required...)
}

// feedCredentials reads the private feed flags.
func feedCredentials(user, password, header string) (*stockbell.FeedCredentials, error) {
	c := &stockbell.FeedCredentials{Username: user, Password: password}
	if header != "" {
		name, value, ok := strings.Cut(header, ":")
		if !ok {
			return nil, fmt.Errorf(`--feed-header: want "Name: value", got %q`, header)
		}
		c.Header, c.Value = strings.TrimSpace(name), strings.TrimSpace(value)
	}
	if *c == (stockbell.FeedCredentials{}) {
		return nil, nil
	}
	return c, nil
}

func describeFeedError(err error) error {
	if stockbell.ErrorCode(err) == stockbell.EINVALID {
		field := stockbell.ErrorField(err)
		flag := map[string]string{"feed_url": "feed-url", "domain": "domain", "interval": "interval", "credentials": "feed-user/--feed-header"}[field]
		if flag == "" {
			flag = field
		}
		return fmt.Errorf("--%s: %s", flag, stockbell.ErrorMessage(err))
	}
	return err
}

// feedUsage is what `stockbell feed --help` prints.
const feedUsage = "Usage: stockbell feed sync --shop DOMAIN|KEY [--platform P]\n\nSyncs a feed shop's catalog feed now and waits for the result."

func runFeed(env *cliEnv, args []string) error {
	return runAction(env, "feed", feedUsage, []action{{"sync", runFeedSync}}, args)
}

// runFeedSync syncs a shop's feed now (after a sync already running), and
// exits non-zero with the reason when the feed could not be read or its
// document was rejected.
func runFeedSync(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "feed sync", "feed sync --shop DOMAIN|KEY [--platform P]\n\nSyncs the shop's catalog feed now, waits for it, and prints what changed. "+
		"Exits non-zero with the reason when the feed is unreachable or its document is rejected.")
	readShop := addShopFlags(fs)
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
	return withFeeds(env, func(db *store.DB, in *feed.Integration) error {
		shop, err := findOperatorShop(env.ctx, db, query)
		if err != nil {
			return err
		}
		if shop.Platform == stockbell.PlatformFeed && !shop.Active() {
			// A disconnected feed is not read: say how to connect it again.
			return fmt.Errorf("%s shop %s is not installed (%s): its feed is not synced; %s",
				shop.Platform, shop.Domain, shop.Status, howToReinstall(shop))
		}
		report, err := in.SyncFeed(env.ctx, shop.ID)
		if stockbell.ErrorCode(err) == stockbell.ENOTFOUND {
			return fmt.Errorf("shop %s has no catalog feed (connect one with: %s)", shop.Domain, commandAsRun("shop add --platform feed"))
		} else if err != nil {
			return err
		}
		printReport(env, shop, report)
		if report.Failed() {
			return fmt.Errorf("the feed sync of %s failed: %s", shop.Domain, report.Failure)
		}
		return nil
	})
}

func printReport(env *cliEnv, shop *stockbell.Shop, r *stockbell.SyncReport) {
	took := r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond)
	switch {
	case r.Failed():
		fmt.Fprintf(env.stdout, "Feed of %s not applied (%s): nothing changed.\n", shop.Domain, took)
	case r.NotModified:
		fmt.Fprintf(env.stdout, "Feed of %s unchanged since the last sync (304, %s).\n", shop.Domain, took)
	default:
		fmt.Fprintf(env.stdout, "Feed of %s synced in %s: %d items, %d changed, %d unpublished, %d rejected.\n",
			shop.Domain, took, r.Items, r.Changed, r.Unpublished, r.RejectedCount())
	}
	for _, rej := range r.Rejections {
		fmt.Fprintf(env.stdout, "  item %d (id %q): %s\n", rej.Position, rej.ID, rej.Reason)
	}
	if r.RejectedCount() > len(r.Rejections) {
		fmt.Fprintf(env.stdout, "  … and %d more\n", r.RejectedCount()-len(r.Rejections))
	}
}
