package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/metrics"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/web"
)

// Main is one running server: its database, job queue and HTTP listener.
// End-to-end tests start it on port 0 with Run and stop it with Close.
type Main struct {
	Config *Config
	Logger *slog.Logger
	// getenv reads the platform settings that their own packages parse.
	getenv func(string) string

	DB      *store.DB
	Queue   *jobs.Queue
	Metrics *prometheus.Registry
	// Meters are the domain series on Metrics, which components report to.
	Meters *metrics.Metrics
	Web    *web.Server

	// closers release what components hold (SMTP sessions) after the queue stops.
	closers  []func() error
	listener net.Listener
	http     *http.Server
	served   chan error
}

// NewMain returns a server for the configuration; nothing is opened yet.
func NewMain(cfg *Config, logger *slog.Logger, getenv func(string) string) *Main {
	return &Main{Config: cfg, Logger: logger, getenv: getenv, served: make(chan error, 1)}
}

// Run opens the database, migrates it, wires the components, starts the
// job workers and begins serving HTTP. It returns once the server is
// listening; Close stops it.
func (m *Main) Run(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	if err := m.openDatabase(ctx); err != nil {
		return err
	}
	workers := jobs.NewWorkers()
	m.Metrics = prometheus.NewRegistry()
	m.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.Meters = metrics.New(m.Metrics)
	m.Web = web.NewServer(m.Logger, m.Metrics, m.DB)
	components, err := m.wire(ctx, workers)
	if err != nil {
		return err
	}
	if err := m.openQueue(ctx, workers, components.periodic); err != nil {
		return err
	}
	if err := m.Queue.Start(ctx); err != nil {
		return fmt.Errorf("start job workers: %w", err)
	}
	return m.listen()
}

// openDatabase connects and migrates; errors name the setting to fix.
func (m *Main) openDatabase(ctx context.Context) error {
	db, err := store.Open(ctx, m.Config.DatabaseURL)
	if err != nil {
		return &configError{"STOCKBELL_DATABASE_URL", err.Error()}
	}
	m.DB = db
	return migrate(ctx, db, m.Config.DatabaseURL)
}

// migrate applies Stockbell's and the job queue's migrations under one lock.
func migrate(ctx context.Context, db *store.DB, dbURL string) error {
	return db.WithMigrationLock(ctx, func(ctx context.Context) error {
		if err := db.Migrate(ctx); err != nil {
			return err
		}
		return jobs.Migrate(ctx, jobsDatabase(db, dbURL))
	})
}

func jobsDatabase(db *store.DB, dbURL string) jobs.Database {
	d := jobs.Database{DB: db.DB.DB, Postgres: db.Dialect == store.Postgres}
	if d.Postgres {
		d.URL = dbURL
	}
	return d
}

func (m *Main) openQueue(ctx context.Context, workers *riverWorkers, periodic []*periodicJob) error {
	queue, err := jobs.New(ctx, jobs.Config{
		Database:   jobsDatabase(m.DB, m.Config.DatabaseURL),
		Workers:    workers,
		Periodic:   periodic,
		MaxWorkers: m.Config.Workers,
		Logger:     m.Logger.With("component", "jobs"),
	})
	if err != nil {
		return err
	}
	m.Queue = queue
	m.DB.Queue = queue
	return nil
}

func (m *Main) listen() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return &configError{"STOCKBELL_ADDR", err.Error()}
	}
	m.listener = ln
	m.http = &http.Server{
		Handler:           m.Web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	go func() { m.served <- m.http.Serve(ln) }()
	m.Logger.Info("serving", "addr", ln.Addr().String(), "public_url", m.Config.PublicURL,
		"database", string(m.DB.Dialect), "env", m.Config.Env)
	return nil
}

// URL returns the address the server listens on, as an http URL.
func (m *Main) URL() string {
	if m.listener == nil {
		return ""
	}
	return "http://" + m.listener.Addr().String()
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
// the job workers (running jobs finish or are cancelled at the timeout, to
// be retried), then the database.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	var errs []error
	if m.http != nil {
		errs = append(errs, m.http.Shutdown(ctx))
	}
	if m.Queue != nil {
		errs = append(errs, m.Queue.Stop(ctx))
	}
	for _, closeFn := range m.closers {
		errs = append(errs, closeFn())
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}
