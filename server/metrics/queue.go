package metrics

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stockbell/stockbell/server/jobs"
)

// QueueRefresh is the longest the queue's series are reused: a scrape
// reads the backlog from the database (one grouped count over River's
// fetch index) only when the last reading is older, so several scrapers
// or a short scrape interval do not multiply the queries.
const QueueRefresh = 10 * time.Second

// queueReadTimeout bounds one reading: a database that does not answer
// makes stockbell_database_up 0 rather than hanging the scrape.
const queueReadTimeout = 5 * time.Second

// QueueStats reads the job queue's backlog (jobs.Queue).
type QueueStats interface {
	Stats(ctx context.Context) ([]jobs.KindStats, error)
}

// queueCollector exports the backlog by kind and whether the database
// answered the last reading.
type queueCollector struct {
	source QueueStats
	// kinds are the job kinds with a handler: the label values; a kind
	// outside them is counted as "other".
	kinds []string

	mu      sync.Mutex
	readAt  time.Time
	reading map[string]jobs.KindStats
	readErr error

	jobs, oldest, up *prometheus.Desc
}

// WatchQueue exports the queue's backlog: stockbell_jobs{kind,state} and
// stockbell_job_oldest_available_seconds{kind} for each of kinds (the
// kinds with a handler), and stockbell_database_up, 0 when the last
// reading failed.
func (m *Metrics) WatchQueue(source QueueStats, kinds []string) {
	m.registry.MustRegister(&queueCollector{
		source: source,
		kinds:  append(slices.Clone(kinds), "other"),
		jobs: prometheus.NewDesc("stockbell_jobs", "Unfinished jobs by kind and state (available, running, retryable, scheduled).",
			[]string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("stockbell_job_oldest_available_seconds",
			"How long the oldest available job of a kind has waited for a worker since it was due (0 when none waits).", []string{"kind"}, nil),
		up: prometheus.NewDesc("stockbell_database_up", "1 when the database answered the last queue reading, 0 when it failed.", nil, nil),
	})
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.oldest
	ch <- c.up
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	reading, err := c.read()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for _, kind := range c.kinds {
		s := reading[kind]
		for state, n := range map[string]int{"available": s.Available, "running": s.Running, "retryable": s.Retryable, "scheduled": s.Scheduled} {
			ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(n), kind, state)
		}
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, s.OldestAvailable.Seconds(), kind)
	}
}

// read returns the last reading, refreshed when older than QueueRefresh.
func (c *queueCollector) read() (map[string]jobs.KindStats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.readAt.IsZero() && time.Since(c.readAt) < QueueRefresh {
		return c.reading, c.readErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), queueReadTimeout)
	defer cancel()
	stats, err := c.source.Stats(ctx)
	c.readAt, c.readErr, c.reading = time.Now(), err, c.byKind(stats)
	return c.reading, c.readErr
}

// byKind files the stats under their kind's label, merging unknown kinds
// into "other".
func (c *queueCollector) byKind(stats []jobs.KindStats) map[string]jobs.KindStats {
	out := map[string]jobs.KindStats{}
	for _, s := range stats {
		label := s.Kind
		if !slices.Contains(c.kinds, label) {
			label = "other"
		}
		sum := out[label]
		sum.Available += s.Available
		sum.Running += s.Running
		sum.Retryable += s.Retryable
		sum.Scheduled += s.Scheduled
		sum.OldestAvailable = max(sum.OldestAvailable, s.OldestAvailable)
		out[label] = sum
	}
	return out
}
