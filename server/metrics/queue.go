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

// queueReadTimeout bounds one reading, the database's answer and the
// backlog's together: a database that does not answer makes
// stockbell_database_up 0 rather than hanging the scrape.
const queueReadTimeout = 5 * time.Second

// QueueStats reads the job queue's backlog (jobs.Queue).
type QueueStats interface {
	Stats(ctx context.Context) ([]jobs.KindStats, error)
}

// DatabasePinger asks whether the database answers (store.Conn.Ping, which
// /readyz asks too: on a new connection while every pooled one is in use,
// so that a busy pool does not read as a database that is down), and
// whether every pooled connection is in use (store.Conn.PoolBusy).
type DatabasePinger interface {
	Ping(ctx context.Context) error
	PoolBusy() bool
}

// queueCollector exports the backlog by kind and whether the database
// answered the last reading.
type queueCollector struct {
	source   QueueStats
	database DatabasePinger
	// kinds are the job kinds with a handler: the label values; a kind
	// outside them is counted as "other".
	kinds []string

	mu     sync.Mutex
	readAt time.Time
	last   queueReading

	jobs, oldest, up *prometheus.Desc
}

// queueReading is what one reading found.
type queueReading struct {
	// up is whether the database answered.
	up bool
	// backlog is the queue's backlog by kind label, nil when it could not
	// be read (the database down, or no pooled connection freed in time).
	backlog map[string]jobs.KindStats
}

// WatchQueue exports the queue's backlog: stockbell_jobs{kind,state} and
// stockbell_job_oldest_available_seconds{kind} for each of kinds (the
// kinds with a handler), left out of a scrape whose reading could not read
// it; and stockbell_database_up, 1 when the database answered the last reading
// (database.Ping) and 0 when it did not.
func (m *Metrics) WatchQueue(source QueueStats, database DatabasePinger, kinds []string) {
	m.registry.MustRegister(&queueCollector{
		source:   source,
		database: database,
		kinds:    append(slices.Clone(kinds), "other"),
		jobs: prometheus.NewDesc("stockbell_jobs", "Unfinished jobs by kind and state (available, running, retryable, scheduled).",
			[]string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("stockbell_job_oldest_available_seconds",
			"How long the oldest available job of a kind has waited for a worker since it was due (0 when none waits).", []string{"kind"}, nil),
		up: prometheus.NewDesc("stockbell_database_up",
			"1 when the database answered this replica at the last reading (at most 10 s old), 0 when it did not within 5 s. "+
				"It is asked as /readyz asks it: on a new connection while every pooled one is in use, so a busy pool (requests "+
				"behind a long lock) reads 1; the queue's series are then left out until a pooled connection frees in time.",
			nil, nil),
	})
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.oldest
	ch <- c.up
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	reading := c.read()
	if !reading.up {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	if reading.backlog == nil {
		return
	}
	for _, kind := range c.kinds {
		s := reading.backlog[kind]
		for state, n := range map[string]int{"available": s.Available, "running": s.Running, "retryable": s.Retryable, "scheduled": s.Scheduled} {
			ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(n), kind, state)
		}
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, s.OldestAvailable.Seconds(), kind)
	}
}

// read returns the last reading, refreshed when older than QueueRefresh.
func (c *queueCollector) read() queueReading {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.readAt.IsZero() && time.Since(c.readAt) < QueueRefresh {
		return c.last
	}
	ctx, cancel := context.WithTimeout(context.Background(), queueReadTimeout)
	defer cancel()
	c.readAt, c.last = time.Now(), c.readNow(ctx)
	return c.last
}

// readNow asks the database first, so that whether it answers does not
// depend on the pool. The backlog is read through the pool, and not while
// every connection is in use: it would wait out the rest of ctx for one,
// holding every scrape, and still have nothing to export.
func (c *queueCollector) readNow(ctx context.Context) queueReading {
	if err := c.database.Ping(ctx); err != nil {
		return queueReading{}
	}
	if c.database.PoolBusy() {
		return queueReading{up: true}
	}
	stats, err := c.source.Stats(ctx)
	if err != nil {
		return queueReading{up: true}
	}
	return queueReading{up: true, backlog: c.byKind(stats)}
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
