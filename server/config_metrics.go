package main

import (
	"fmt"
	"net"
)

// minMetricsToken is the shortest STOCKBELL_METRICS_TOKEN accepted.
const minMetricsToken = 16

// parseMetrics reads where /metrics is served and who may read it:
// STOCKBELL_METRICS_ADDR (host:port) serves it on an internal listener of
// its own, and only there; STOCKBELL_METRICS_TOKEN is then required as a
// bearer token wherever it is served. In production without either, the
// public listener refuses it.
func (c *Config) parseMetrics(getenv func(string) string) error {
	c.MetricsAddr, c.MetricsToken = getenv("STOCKBELL_METRICS_ADDR"), getenv("STOCKBELL_METRICS_TOKEN")
	var problems configErrors
	problems.add(c.checkMetricsAddr())
	if c.MetricsToken != "" && len(c.MetricsToken) < minMetricsToken {
		problems.add(&configError{"STOCKBELL_METRICS_TOKEN", fmt.Sprintf("must be at least %d characters (try: openssl rand -hex 16)", minMetricsToken)})
	}
	return problems.err()
}

// checkMetricsAddr refuses a STOCKBELL_METRICS_ADDR that is not host:port,
// or that the public listener also binds.
func (c *Config) checkMetricsAddr() error {
	if c.MetricsAddr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
		return &configError{"STOCKBELL_METRICS_ADDR", fmt.Sprintf("want host:port such as 127.0.0.1:9090, got %q", c.MetricsAddr)}
	}
	if sameListener(c.Addr, c.MetricsAddr) {
		return &configError{"STOCKBELL_METRICS_ADDR", fmt.Sprintf("%s is on the port of %s (%s): give /metrics a port of its own, "+
			"or unset STOCKBELL_METRICS_ADDR and set STOCKBELL_METRICS_TOKEN to serve it on the public listener", c.MetricsAddr, orDefault(c.AddrSetting, "STOCKBELL_ADDR"), c.Addr)}
	}
	return nil
}

// MetricsOnPublicListener reports whether the public listener serves
// /metrics: not when an internal address is set; otherwise with a token,
// or in development (on loopback).
func (c *Config) MetricsOnPublicListener() bool {
	return c.MetricsAddr == "" && (c.MetricsToken != "" || c.Development())
}

// sameListener reports whether two listen addresses cannot both be bound:
// the same port (not 0, any free one) on the same host, or on every
// interface for either.
func sameListener(a, b string) bool {
	hostA, portA, errA := net.SplitHostPort(a)
	hostB, portB, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || portA != portB || portA == "0" {
		return false
	}
	return hostA == hostB || anyInterface(hostA) || anyInterface(hostB)
}

func anyInterface(host string) bool { return host == "" || host == "0.0.0.0" || host == "::" }
