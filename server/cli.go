package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// command is one subcommand of the stockbell binary.
type command struct {
	name    string
	summary string
	run     func(env *cliEnv, args []string) error
}

// cliEnv is what a subcommand may use: the environment and the two streams.
type cliEnv struct {
	ctx    context.Context
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	// usageText, when set, keeps what a usage error explains until the
	// command ends, to be written as one JSON record (see usageOut).
	usageText *bytes.Buffer
}

func commands() []command {
	return []command{
		{"serve", "run the server (the default)", runServe},
		{"migrate", "create or migrate the database and exit", runMigrate},
		{"backup", "copy the SQLite database while the server runs: backup --to FILE", runBackup},
		{"shop", "operate on shops: shop list|add|disconnect|erase", runShop},
		{"feed", "sync a feed shop's catalog feed now: feed sync --shop DOMAIN", runFeed},
		{"settings", "read or change a shop's restock settings: settings get|set", runSettings},
		{"admin", "sign in to a shop's admin: admin link --shop DOMAIN", runAdmin},
		{"apikey", "keys to a shop's JSON admin API: apikey create|list|revoke", runAPIKey},
		{"version", "print the build's version and source revision (also --version)", runVersion},
	}
}

// Execute runs the subcommand named in args and returns the exit code.
// environ lists the environment's "NAME=value" entries, as os.Environ
// does: before a command runs, each STOCKBELL_ variable in it that the
// configuration does not read is warned of on stderr, by name only.
func Execute(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) int {
	env := newCLIEnv(ctx, getenv, stdout, stderr)
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && isHelp(args[0]) {
		usage(stdout)
		return 0
	} else if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		name, args = "version", args[1:]
	}
	if name == "help" {
		if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
			usage(stdout)
			return 0
		}
		// help COMMAND [ACTION] is COMMAND [ACTION] --help.
		name, args = args[0], append(args[1:len(args):len(args)], "--help")
	}
	for _, cmd := range commands() {
		if cmd.name == name {
			warnUnknownSettings(startLogger(getenv, stderr), environ)
			return exitCode(cmd.run(env, args), env)
		}
	}
	fmt.Fprintf(env.usageOut(), "unknown command %q\n", name)
	usage(env.usageOut())
	env.printUsageError()
	return 2
}

func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "-help" }

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: stockbell [command] [flags]\n\nCommands:")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nRun 'stockbell COMMAND --help' or 'stockbell help COMMAND' for a command's flags. Configuration comes from environment variables (see README.md):\n"+
		"STOCKBELL_*, PORT, SHOPIFY_* and SCOPES for a Shopify app, BIGCOMMERCE_* for a BigCommerce app.")
}

// errHelp means --help was asked for and printed: exit 0.
var errHelp = flag.ErrHelp

// exitCode prints err as one line and returns the process exit code.
func exitCode(err error, env *cliEnv) int {
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		env.printUsageError()
		return 2
	}
	printError(env.stderr, logFormat(env.getenv), err)
	if errors.Is(err, errSchemaNewer) {
		return 3
	}
	return 1
}

// errUsage marks a usage error already explained on standard error.
var errUsage = errors.New("usage")

// action is one action word of a command that takes one, as list is in
// `stockbell shop list`.
type action struct {
	name string
	run  func(env *cliEnv, args []string) error
}

// runAction runs the action args[0] names with the arguments after it.
// Help asked for (-h, --help or help) prints usage to standard output and
// exits 0, as for the binary itself. No action word, or one the command
// does not know, is a usage error: the reason and the usage go to
// standard error and the exit code is 2, so that a script that forgot the
// action fails rather than succeeding without doing anything.
func runAction(env *cliEnv, command, usage string, actions []action, args []string) error {
	if len(args) > 0 && (isHelp(args[0]) || args[0] == "help") {
		fmt.Fprintln(env.stdout, usage)
		return errHelp
	}
	names := make([]string, len(actions))
	for i, a := range actions {
		if len(args) > 0 && a.name == args[0] {
			return a.run(env, args[1:])
		}
		names[i] = a.name
	}
	want := strings.Join(names, ", ")
	if len(names) > 1 {
		want = strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	}
	if len(args) == 0 {
		fmt.Fprintf(env.usageOut(), "no %s command given (want: %s)\n", command, want)
	} else {
		fmt.Fprintf(env.usageOut(), "unknown %s command %q (want: %s)\n", command, args[0], want)
	}
	fmt.Fprintln(env.usageOut(), usage)
	return errUsage
}

// newFlagSet returns a flag set that prints its usage to stdout on --help.
func newFlagSet(env *cliEnv, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.usageOut())
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: stockbell %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// requireFlag is a usage error when a flag named was left out or given an
// empty value: the reason, naming the first such flag, and the command's
// usage go to standard error (exit 2).
func requireFlag(fs *flag.FlagSet, names ...string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = f.Value.String() != "" })
	for _, name := range names {
		if !given[name] {
			fmt.Fprintf(fs.Output(), "--%s is required\n", name)
			fs.Usage()
			return errUsage
		}
	}
	return nil
}

// parseFlags parses args, sending --help to stdout.
func parseFlags(env *cliEnv, fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if isHelp(a) {
			fs.SetOutput(env.stdout)
			fs.Usage()
			return errHelp
		}
	}
	if err := parseExplained(fs, args); err != nil {
		return errUsage
	}
	// A word where a flag was expected ends parsing: the flags after it
	// would be dropped without a word, so it is refused.
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q (every value goes after its flag; quote values with spaces)\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

// parseExplained parses args as fs.Parse does, printing its error and
// usage, except that a value its flag's type cannot read is explained
// (what the flag wants) where the flag package says only "parse error".
func parseExplained(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(out)
	printed := buf.String()
	if m := unreadValue.FindStringSubmatchIndex(printed); m != nil {
		if f := fs.Lookup(printed[m[2]:m[3]]); f != nil {
			printed = printed[:m[4]] + wantedValue(f) + printed[m[5]:]
		}
	}
	io.WriteString(out, printed)
	return err
}

// unreadValue is the flag package's line for a value its flag's type
// cannot read: the flag's name, then "parse error".
var unreadValue = regexp.MustCompile(`(?m)^invalid (?:boolean )?value ".*" for (?:flag )?-([\w-]+): (parse error)$`)

// wantedValue says what a flag of f's type wants.
func wantedValue(f *flag.Flag) string {
	switch kind, _ := flag.UnquoteUsage(f); kind {
	case "duration":
		return "want a Go duration such as 90s, 30m or 2h (days in hours: 48h)"
	case "int", "uint":
		return "want a whole number"
	case "": // a boolean flag
		return "want true or false"
	}
	return "parse error"
}

// loadConfig reads serve's configuration including the secret key.
func loadConfig(env *cliEnv) (*Config, error) { return loadKeyedConfig(env, publicURLRequired) }

// loadKeyedConfig reads the configuration including the secret key.
func loadKeyedConfig(env *cliEnv, need publicURLNeed) (*Config, error) {
	cfg, err := readKeyedConfig(env.getenv, need)
	if err != nil {
		return nil, err
	}
	if err := cfg.LoadSecretKey(env.getenv); err != nil {
		return nil, err
	}
	return cfg, nil
}

// startLogger logs, in the log format and at the level the environment
// asks for, what is said before the configuration is read (a level it
// cannot read is the configuration's error to report: info meanwhile).
func startLogger(getenv func(string) string, w io.Writer) *slog.Logger {
	cfg := &Config{LogFormat: logFormat(getenv)}
	_ = cfg.parseLogLevel(getenv)
	return newLogger(cfg, w)
}

func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func runServe(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "serve", "serve\n\nRuns the HTTP server and the job workers until interrupted.")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	m := NewMain(cfg, newLogger(cfg, env.stderr))
	if err := m.Run(env.ctx); err != nil {
		return stoppedWhileStarting(env.ctx, m.Logger, err)
	}
	waitErr := m.Wait(env.ctx)
	m.Logger.Info("shutting down", "waits_up_to", cfg.ShutdownTimeout.String(),
		"waiting_for", "requests in flight, then webhook receipts and jobs being processed")
	if err := errors.Join(waitErr, m.Close()); err != nil {
		return err
	}
	m.Logger.Info("shut down: the requests, webhook receipts and jobs in hand finished")
	return nil
}

// stoppedWhileStarting is what a failed start ends with: nil, after
// saying so, when a signal stopped it (while it waited for the migration
// lock, say), since a stop asked for is no failure; otherwise err. What
// the start had begun ends with it (a migration's transaction is rolled
// back), as after a crash.
func stoppedWhileStarting(ctx context.Context, logger *slog.Logger, err error) error {
	if ctx.Err() == nil {
		return err
	}
	logger.Info("shutting down while starting")
	return nil
}

func runMigrate(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "migrate", "migrate\n\nCreates the database when it is new (on PostgreSQL, its tables in a database created beforehand, with createdb), "+
		"applies pending migrations to STOCKBELL_DATABASE_URL and exits. "+
		"On a schema a newer build migrated it migrates nothing and exits 3, or 0 with --allow-newer-schema.")
	allowNewer := fs.Bool("allow-newer-schema", false, "exit 0 on a schema a newer build migrated (a rollback meant), after the warning")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	cfg, err := readConfig(env.getenv, publicURLUnused)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, env.stderr)
	conn, err := openDatabase(env.ctx, cfg, logger, untold)
	if err != nil {
		return err
	}
	defer conn.Close()
	if newer, err := warnIfSchemaNewer(env.ctx, conn, logger); err != nil {
		return err
	} else if newer && !*allowNewer {
		return errSchemaNewer
	} else if newer {
		return nil
	}
	version, err := conn.SchemaVersion(env.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "database migrated (%s, schema version %d)\n", conn.Dialect, version)
	return nil
}

// commandAsRun is an operator command as the operator would type it here,
// for the hints an error gives ("see: stockbell shop list").
func commandAsRun(args string) string { return programAsRun(os.Args[0]) + " " + args }

// programAsRun is the program of the command line that started arg0 (the
// process's os.Args[0]): the binary by the path the operator typed, or
// `go run ./server` for the executable go run builds and starts from a
// go-build directory in its temporary directory, which no one could run
// again once go run is done.
func programAsRun(arg0 string) string {
	switch {
	case arg0 == "":
		return "stockbell"
	case builtByGo(arg0):
		return "go run ./server"
	}
	return arg0
}

// builtByGo reports whether path lies in one of the go-buildNNN
// directories the go command builds in.
func builtByGo(path string) bool {
	for _, dir := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
		digits, ok := strings.CutPrefix(dir, "go-build")
		if ok && digits != "" && strings.Trim(digits, "0123456789") == "" {
			return true
		}
	}
	return false
}
