package main

import (
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// settingsSetSynopsis is the usage line of `settings set`, which
// `settings --help` shows too.
const settingsSetSynopsis = "settings set --shop DOMAIN|KEY [--platform P] [--min-inventory N] [--per-unit N] [--wait DURATION] [--time-zone ZONE] [--attribution-window DURATION]\n" +
	"       [--quiet-hours[=false]] [--quiet-hours-start HH:MM] [--quiet-hours-end HH:MM]"

// settingsUsage is what `stockbell settings --help` prints.
const settingsUsage = "Usage: stockbell settings get --shop DOMAIN|KEY [--platform P]\n       stockbell " + settingsSetSynopsis + "\n\n" +
	"Prints or changes a shop's restock settings: when its subscribers are notified, in what batches, how it reports, and its quiet hours for texts."

func runSettings(env *cliEnv, args []string) error {
	return runAction(env, "settings", settingsUsage, []action{{"get", runSettingsGet}, {"set", runSettingsSet}}, args)
}

func runSettingsGet(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "settings get", "settings get --shop DOMAIN|KEY [--platform P]\n\nPrints the shop's restock settings, one per line.")
	readShop := addShopFlags(fs)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "shop"); err != nil {
		return err
	}
	return withShop(env, readShop, func(db *store.DB, shop *stockbell.Shop) error {
		settings, err := db.FindSettings(env.ctx, shop.ID)
		if err != nil {
			return describe(err, shop.Domain)
		}
		printSettings(env, shop.Domain, settings)
		return nil
	})
}

func runSettingsSet(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "settings set", settingsSetSynopsis+"\n\n"+
		"Changes the settings whose flags are given, keeps the others, and prints them all. A value out of range changes nothing.")
	readShop := addShopFlags(fs)
	minInventory := fs.Int("min-inventory", 0, fmt.Sprintf("stock a variant must reach before anyone is notified, %d to %d",
		stockbell.MinMinInventory, stockbell.MaxMinInventory))
	perUnit := fs.Int("per-unit", 0, fmt.Sprintf("subscribers to notify per unit in stock, 0 to %d; 0 means everyone", stockbell.MaxPerUnit))
	wait := fs.Duration("wait", 0, "wait between notification batches, "+durationRange(stockbell.MinWait, stockbell.MaxWait)+
		", Go duration syntax (e.g. 30m, 2h)")
	timeZone := fs.String("time-zone", "", "the shop's IANA time zone for reports (e.g. Europe/Paris)")
	window := fs.Duration("attribution-window", 0, "how long after a notification an order counts as its conversion, "+
		durationRange(stockbell.MinAttributionWindow, stockbell.MaxAttributionWindow)+" (e.g. 168h)")
	quiet := fs.Bool("quiet-hours", false, "hold alert and follow-up texts during the recipient's night (--quiet-hours=false: send at any hour)")
	quietStart := fs.String("quiet-hours-start", "", "when quiet hours start, 24-hour HH:MM in the recipient's local time (e.g. 21:00)")
	quietEnd := fs.String("quiet-hours-end", "", "when quiet hours end, 24-hour HH:MM (e.g. 09:00)")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if err := requireFlag(fs, "shop"); err != nil {
		return err
	}
	var update stockbell.SettingsUpdate
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "min-inventory":
			update.MinInventory = minInventory
		case "per-unit":
			update.PerUnit = perUnit
		case "wait":
			update.Wait = wait
		case "time-zone":
			update.TimeZone = timeZone
		case "attribution-window":
			update.AttributionWindow = window
		case "quiet-hours":
			update.QuietHours = quiet
		case "quiet-hours-start":
			update.QuietHoursStart = quietStart
		case "quiet-hours-end":
			update.QuietHoursEnd = quietEnd
		}
	})
	if update == (stockbell.SettingsUpdate{}) {
		// Nothing asked of the command is a usage error, as a missing
		// action word is: exit 2, so a script that lost its flags fails.
		fmt.Fprintln(fs.Output(), "nothing to set: give --min-inventory, --per-unit, --wait, --time-zone, --attribution-window or a --quiet-hours flag")
		fs.Usage()
		return errUsage
	}
	return withShop(env, readShop, func(db *store.DB, shop *stockbell.Shop) error {
		settings, err := db.UpdateSettings(env.ctx, shop.ID, update)
		if err != nil {
			return describe(err, shop.Domain)
		}
		printSettings(env, shop.Domain, settings)
		return nil
	})
}

// durationRange is the range of durations a setting accepts, as its
// validation writes them (stockbell.ShortDuration): "1m to 720h".
func durationRange(lo, hi time.Duration) string {
	return stockbell.ShortDuration(lo) + " to " + stockbell.ShortDuration(hi)
}

// describe turns domain errors into operator-facing messages; flag names
// use dashes where the domain's field names use underscores.
func describe(err error, shopKey string) error {
	switch stockbell.ErrorCode(err) {
	case "":
		return nil
	case stockbell.ENOTFOUND:
		return fmt.Errorf("no shop %q (see: %s)", shopKey, commandAsRun("shop list"))
	case stockbell.EINVALID:
		if field := stockbell.ErrorField(err); field != "" {
			return fmt.Errorf("--%s: %s", flagName(field), stockbell.ErrorMessage(err))
		}
		return fmt.Errorf("%s", stockbell.ErrorMessage(err))
	}
	return err
}

func flagName(field string) string {
	out := []byte(field)
	for i, c := range out {
		if c == '_' {
			out[i] = '-'
		}
	}
	return string(out)
}

func printSettings(env *cliEnv, shop string, s *stockbell.RestockSettings) {
	perUnit := fmt.Sprint(s.PerUnit)
	if s.PerUnit == 0 {
		perUnit = "0 (everyone)"
	}
	// The values start in one column, one space after the longest key.
	out := tabwriter.NewWriter(env.stdout, 0, 0, 1, ' ', 0)
	quiet := "off"
	if s.QuietHours {
		quiet = "on"
	}
	fmt.Fprintf(out, "shop:\t%s\nmin-inventory:\t%d\nper-unit:\t%s\nwait:\t%s\ntime-zone:\t%s\nattribution-window:\t%s\nquiet-hours:\t%s (%s to %s)\n",
		shop, s.MinInventory, perUnit, s.Wait, s.TimeZone, s.AttributionWindow, quiet, s.QuietHoursStart, s.QuietHoursEnd)
	out.Flush()
}
