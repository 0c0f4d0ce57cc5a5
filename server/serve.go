package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/stockbell/stockbell/integrations"
	"github.com/stockbell/stockbell/oauth"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/metrics"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/web"
)

// Main is one running server: its database, job queues and HTTP listener.
// End-to-end tests start it on port 0 with Run and stop it with Close.
type Main struct {
	Config *Config
	Logger *slog.Logger

	// DB is the store, complete from the moment it exists: it inserts its
	// jobs through Queue.
	DB *store.DB
	// Queue inserts jobs and never runs them; Worker runs them.
	Queue  *jobs.Queue
	Worker *jobs.Queue
	// Sealer seals and opens every platform's access tokens.
	Sealer  *oauth.Sealer
	Metrics *prometheus.Registry
	// Meters are the domain series on Metrics, which components report to.
	Meters *metrics.Metrics
	Web    *web.Server

	conn *store.Conn
	// workers are the job handlers and periodic jobs the components registered.
	workers *jobs.Workers
	// drainer processes the stored webhook receipts; it runs beside the
	// job workers, which run the work it queues.
	drainer *integrations.Drainer
	// closers release what components hold (SMTP sessions) after the workers stop.
	closers  []func() error
	listener net.Listener
	http     *http.Server
	// metricsListener and metricsHTTP serve STOCKBELL_METRICS_ADDR.
	metricsListener net.Listener
	metricsHTTP     *http.Server
	served          chan error
	// startup answers on the listeners until the server is built; the
	// handoffs then give them to its handlers (see listenWhileStarting).
	startup                 *web.Startup
	handoff, metricsHandoff *web.Handoff
}

// NewMain returns a server for the configuration; nothing is opened yet.
func NewMain(cfg *Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger, served: make(chan error, 1)}
}

// Run builds the server in one direction, each part complete when the next
// one receives it: the listeners, bound (so that the development public
// URL names its port) and answering that the server is starting → the
// database (migrated) → an insert-only job queue → the store → the web
// server → the components, which register their routes and job handlers
// → the working job queue with those handlers and periodic jobs → the web
// server taking over the listeners. It returns once the server is
// serving; Close stops it.
func (m *Main) Run(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	warnUntrimmedSecrets(m.Logger, m.Config)
	if err := m.listenWhileStarting(); err != nil {
		return err
	}
	if m.conn, err = openDatabase(ctx, m.Config, m.Logger, m.startup.Doing); err != nil {
		return err
	}
	m.startup.Doing("starting, its database migrated")
	if _, err := warnIfSchemaNewer(ctx, m.conn, m.Logger); err != nil {
		return err
	}
	if m.Queue, err = jobs.New(ctx, jobs.Config{Database: jobsDatabase(m.conn, m.Config.DatabaseURL)}); err != nil {
		return err
	}
	m.DB = store.New(m.conn, m.Queue)
	if err := m.openSealer(ctx); err != nil {
		return err
	}
	m.Metrics = prometheus.NewRegistry()
	m.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.Meters = metrics.New(m.Metrics)
	m.Web = web.NewServer(m.Logger, m.Metrics, m.DB)
	m.Web.WebhookMetrics = m.Meters
	m.Web.SetMetricsAccess(web.MetricsAccess{Public: m.Config.MetricsOnPublicListener(), Token: m.Config.MetricsToken})
	if !m.Config.Development() {
		m.Web.EnableHSTS()
	}
	m.workers = jobs.NewWorkers()
	if err := m.wire(m.workers); err != nil {
		return err
	}
	m.Meters.WatchQueue(m.Queue, m.conn, m.workers.Kinds())
	m.Meters.WatchWebhooks(m.Web.WebhookPlatforms())
	if err := m.startWorker(ctx); err != nil {
		return err
	}
	m.drainer.Start()
	m.takeOver()
	return nil
}

// openSealer makes the token sealer from the secret key (and the previous
// one during a rotation) and reseals every stored token that is not sealed
// with the current key for its shop, so that the previous key can be
// dropped once every replica has started with the new one.
func (m *Main) openSealer(ctx context.Context) error {
	sealer, err := oauth.NewSealer(m.Config.SubKey("token sealing", 32), m.Config.PreviousSubKeys("token sealing", 32)...)
	if err != nil {
		return err
	}
	m.Sealer = sealer
	done, err := m.DB.ResealTokens(ctx, sealer.Reseal)
	if err != nil {
		return fmt.Errorf("reseal platform tokens: %w", err)
	}
	if done.Resealed > 0 {
		m.Logger.Info("platform tokens resealed with the current key", "shops", done.Resealed)
	}
	if len(done.Unreadable) > 0 {
		m.Logger.Warn("no configured key opens these shops' platform tokens (set STOCKBELL_SECRET_KEY_PREVIOUS to the key before the rotation, or reinstall them)",
			"shop_ids", done.Unreadable)
	}
	return nil
}

// openDatabase connects, creating a SQLite file that does not exist yet,
// and migrates, telling doing what it does meanwhile (see migrate);
// errors name the setting to fix.
func openDatabase(ctx context.Context, cfg *Config, logger *slog.Logger, doing func(string)) (*store.Conn, error) {
	conn, err := store.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, &configError{cfg.databaseSetting(), err.Error()}
	}
	if err := migrate(ctx, conn, cfg, logger, doing); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// warnIfSchemaNewer logs a warning, and reports true, when the database
// was migrated by a newer build than this one: after an upgrade rolled
// back, say. Migrations are not undone, so this build runs on a schema it
// was not written for.
func warnIfSchemaNewer(ctx context.Context, conn *store.Conn, logger *slog.Logger) (bool, error) {
	version, err := conn.SchemaVersion(ctx)
	if err != nil {
		return false, err
	}
	shipped, err := conn.ShippedSchemaVersion()
	if err != nil || version <= shipped {
		return false, err
	}
	logger.Warn("the database's schema is newer than this build's: a newer Stockbell migrated it, and its migrations are not undone; "+
		"run that version, or restore the backup taken before the upgrade (see README.md, Upgrades)",
		"schema_version", version, "build_schema_version", shipped)
	return true, nil
}

// migrate applies Stockbell's and the job queue's migrations under one
// lock, logging who holds it while another process does. doing is told
// whether it waits for the lock, naming the holder, or migrates: a
// starting server's /readyz says it.
func migrate(ctx context.Context, conn *store.Conn, cfg *Config, logger *slog.Logger, doing func(string)) error {
	var waitStarted time.Time
	lock := store.MigrationLock{Wait: cfg.MigrationLockWait, Waiting: func(holder store.MigrationLockHolder, waited time.Duration) {
		if waitStarted.IsZero() {
			waitStarted = time.Now()
		}
		// Not holder.String(): the client address is not for every
		// visitor of /readyz.
		doing(fmt.Sprintf("waiting for the migration lock, held by PostgreSQL backend pid %d (application_name %q)", holder.PID, holder.Application))
		logger.Warn("waiting for the migration lock, held by "+holder.String(), "holder_pid", holder.PID,
			"waited", waited.Round(time.Second), "limit", cfg.MigrationLockWait)
	}}
	err := conn.WithMigrationLock(ctx, lock, func(ctx context.Context, migrator *store.Conn) error {
		if !waitStarted.IsZero() {
			// Ends the warnings above, which an operator may alert on.
			logger.Info("took the migration lock", "waited", time.Since(waitStarted).Round(time.Millisecond))
		}
		doing("applying database migrations")
		return migrateLocked(ctx, migrator, cfg, logger)
	})
	if errors.Is(err, store.ErrMigrationLockHeld) {
		return fmt.Errorf("%w; a migration of a large table may take longer (raise STOCKBELL_MIGRATION_LOCK_WAIT), "+
			"or the holder hangs (end it)", err)
	}
	return err
}

// migrateLocked applies the migrations while the lock is held and logs
// which schema versions they took the database from and to, so that a
// rollout's logs show which process migrated; a database already on the
// newest schema logs nothing.
func migrateLocked(ctx context.Context, migrator *store.Conn, cfg *Config, logger *slog.Logger) error {
	from, err := schemaVersion(ctx, migrator)
	if err != nil {
		return err
	}
	if err := migrator.Migrate(ctx); err != nil {
		return err
	}
	to, err := migrator.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if to != from {
		logger.Info("database migrated", "from_version", from, "to_version", to)
	}
	return jobs.Migrate(ctx, jobsDatabase(migrator, cfg.DatabaseURL))
}

// schemaVersion is the database's schema version, 0 for a database
// never migrated.
func schemaVersion(ctx context.Context, conn *store.Conn) (int64, error) {
	migrated, err := conn.Migrated(ctx)
	if err != nil || !migrated {
		return 0, err
	}
	return conn.SchemaVersion(ctx)
}

// untold is the doing of a command that answers no probes: its log
// says what it waits for.
func untold(string) {}

func jobsDatabase(conn *store.Conn, dbURL string) jobs.Database {
	d := jobs.Database{DB: conn.DB.DB, Postgres: conn.Dialect == store.Postgres}
	if d.Postgres {
		// The listener connects with the store's settings (ParseURL's DSN,
		// which the store's Connect already accepted).
		_, d.URL, _ = store.ParseURL(dbURL)
	}
	return d
}

// startWorker starts the queue that runs the registered handlers.
func (m *Main) startWorker(ctx context.Context) error {
	worker, err := jobs.New(ctx, jobs.Config{
		Database:   jobsDatabase(m.conn, m.Config.DatabaseURL),
		Workers:    m.workers,
		MaxWorkers: m.Config.Workers,
		Logger:     m.Logger.With("component", "jobs"),
	})
	if err != nil {
		return err
	}
	m.Worker = worker
	// River hard-stops a client whose start context ends, cancelling the
	// jobs it runs. The signal that ends serve's context starts the
	// graceful shutdown instead: Close stops the workers after HTTP,
	// letting running jobs finish within the shutdown timeout.
	if err := worker.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job workers: %w", err)
	}
	return nil
}

// Wait blocks until the HTTP server stops on its own (it failed) or ctx ends.
func (m *Main) Wait(ctx context.Context) error {
	select {
	case err := <-m.served:
		return err
	case <-ctx.Done():
		return nil
	}
}

// Close shuts down gracefully: HTTP first (in-flight requests finish), then
// the receipts' drainer and the job workers (running jobs finish or are cancelled at the timeout, to
// be retried), then what components hold, then the database.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, srv := range []*http.Server{m.http, m.metricsHTTP} {
		if srv != nil {
			errs = append(errs, m.shutdownStep("requests still in flight were cut off", srv.Shutdown(ctx)))
		}
	}
	if m.http == nil && m.listener != nil { // bound, never served: Run failed
		m.listener.Close()
	}
	if m.drainer != nil {
		errs = append(errs, m.shutdownStep("webhook receipts in processing, if any, were released to be processed again", m.drainer.Stop(ctx)))
	}
	for _, q := range []*jobs.Queue{m.Worker, m.Queue} {
		if q != nil {
			err := q.Stop(ctx)
			errs = append(errs, m.shutdownStep(jobsCutOff(err), err))
		}
	}
	for _, closeFn := range m.closers {
		errs = append(errs, closeFn())
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close()) // its group-commit writer, then the pool
	} else if m.conn != nil {
		errs = append(errs, m.conn.Close())
	}
	return errors.Join(errs...)
}

// jobsCutOff says which running jobs a queue's Stop cancelled, by kind.
func jobsCutOff(err error) string {
	if cut, ok := errors.AsType[*jobs.CutOffError](err); ok && len(cut.Running) > 0 {
		return "running jobs were cancelled to be retried: " + strings.Join(cut.Running, ", ")
	}
	return "running jobs, if any, were cancelled to be retried"
}

// shutdownStep says what a step of Close left undone when the shutdown
// timeout ran out, and which setting bounds it, rather than "context
// deadline exceeded".
func (m *Main) shutdownStep(undone string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: STOCKBELL_SHUTDOWN_TIMEOUT (%s) ran out: %s (to let them finish, raise STOCKBELL_SHUTDOWN_TIMEOUT, "+
			"and the time your supervisor waits after SIGTERM before it kills the process, above it)", m.Config.ShutdownTimeout, undone)
	}
	return err
}
