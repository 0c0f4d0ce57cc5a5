package main

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/stockbell/stockbell/server/web"
)

// listenWhileStarting binds the listeners and answers on them at once
// with web.Startup's answers, which say what the server is doing, until
// takeOver hands them to the built server. Bound first, so that an
// address in use fails before any wait, and a replica waiting for another
// one's migrations is alive to its orchestrator's liveness probe
// (/healthz) rather than refused and restarted, while its readiness probe
// (/readyz) routes no traffic to it.
func (m *Main) listenWhileStarting() error {
	if err := m.bind(); err != nil {
		return err
	}
	if err := m.bindMetrics(); err != nil {
		return err
	}
	m.startup = web.NewStartup("connecting to the database")
	m.handoff = m.startup.Handler()
	m.http = &http.Server{
		Handler:           m.handoff,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	go func() { m.served <- m.http.Serve(m.listener) }()
	if m.metricsListener != nil {
		m.metricsHandoff = m.startup.Unavailable()
		m.metricsHTTP = &http.Server{Handler: m.metricsHandoff, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn)}
		go m.metricsHTTP.Serve(m.metricsListener)
	}
	return nil
}

// bind opens the public listener, unless the server was handed one already
// open (end-to-end tests do, to name its address in the public URL before
// the start without releasing the port in between); the development public
// URL takes the port it bound (see Config.listeningOn).
func (m *Main) bind() error {
	if m.listener == nil {
		ln, err := net.Listen("tcp", m.Config.Addr)
		if err != nil {
			setting := orDefault(m.Config.AddrSetting, "STOCKBELL_ADDR")
			choose := setting
			if setting == "STOCKBELL_ADDR" {
				choose += " (or PORT, when STOCKBELL_ADDR is unset)"
			}
			return listenError(setting, choose, err)
		}
		m.listener = ln
	}
	m.Config.listeningOn(m.listener.Addr())
	return nil
}

// bindMetrics opens the /metrics listener of STOCKBELL_METRICS_ADDR, when set.
func (m *Main) bindMetrics() error {
	if m.Config.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", m.Config.MetricsAddr)
	if err != nil {
		return listenError("STOCKBELL_METRICS_ADDR", "STOCKBELL_METRICS_ADDR", err)
	}
	m.metricsListener = ln
	return nil
}

// takeOver hands the listeners to the built server: from the next
// request on, its routes and /metrics answer.
func (m *Main) takeOver() {
	m.handoff.Hand(m.Web.Handler())
	m.Logger.Info("serving", "addr", m.listener.Addr().String(), "public_url", m.Config.PublicURL,
		"database", string(m.DB.Dialect), "env", m.Config.Env)
	if m.metricsListener == nil {
		if !m.Config.MetricsOnPublicListener() {
			m.Logger.Info("/metrics is not served: set STOCKBELL_METRICS_ADDR (an internal address) or STOCKBELL_METRICS_TOKEN")
		}
		return
	}
	m.metricsHandoff.Hand(m.Web.MetricsHandler())
	m.Logger.Info("serving /metrics", "addr", m.metricsListener.Addr().String())
}

// MetricsURL returns the internal /metrics listener's address as an http
// URL, or "" when there is none.
func (m *Main) MetricsURL() string {
	if m.metricsListener == nil {
		return ""
	}
	return "http://" + m.metricsListener.Addr().String()
}

// URL returns the address the server listens on, as an http URL.
func (m *Main) URL() string {
	if m.listener == nil {
		return ""
	}
	return "http://" + m.listener.Addr().String()
}

// listenError names the setting an address that could not be listened on
// came from. When another program holds it, it also says which settings
// choose another port: a newcomer's `go run ./server` meets this on port
// 8080 without having set anything.
func listenError(setting, choose string, err error) error {
	problem := err.Error()
	if errors.Is(err, syscall.EADDRINUSE) {
		problem += "; another program listens there: stop it, or choose a free port with " + choose
	}
	return &configError{setting, problem}
}
