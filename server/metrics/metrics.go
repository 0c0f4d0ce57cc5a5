// Package metrics exports what the components report through the root
// package's metrics interfaces (stockbell.MessageMetrics, RestockMetrics…)
// as Prometheus series. Every label value comes from a fixed set (a
// channel, a platform, an outcome, a job kind), never from input, so the
// number of series stays bounded whatever clients send.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
)

// Metrics implements the root package's metrics interfaces on a registry.
type Metrics struct {
	sent, failed, retried, repeated *prometheus.CounterVec
	sendDuration                    *prometheus.HistogramVec
	batches                         prometheus.Counter
}

var (
	_ stockbell.MessageMetrics = (*Metrics)(nil)
	_ stockbell.RestockMetrics = (*Metrics)(nil)
)

// New registers Stockbell's series on the registry.
func New(registry prometheus.Registerer) *Metrics {
	byChannel := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"channel"})
	}
	m := &Metrics{
		sent:    byChannel("stockbell_messages_sent_total", "Messages a provider accepted, by channel."),
		failed:  byChannel("stockbell_messages_failed_total", "Messages that failed for good (the provider refused them), by channel."),
		retried: byChannel("stockbell_messages_retried_total", "Send attempts that failed transiently and will be retried, by channel."),
		repeated: byChannel("stockbell_messages_possibly_repeated_total",
			"Messages sent again after an attempt whose outcome is unknown (its process died or it outlived its lease "+
				"while the provider was being called): each may have reached its recipient twice. The at-least-once window."),
		sendDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stockbell_message_send_duration_seconds", Help: "How long the provider took to accept a message, by channel.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"channel"}),
		batches: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stockbell_restock_batches_total", Help: "Restock batches started.",
		}),
	}
	registry.MustRegister(m.sent, m.failed, m.retried, m.repeated, m.sendDuration, m.batches)
	for _, ch := range []stockbell.Channel{stockbell.ChannelEmail, stockbell.ChannelSMS} {
		for _, c := range []*prometheus.CounterVec{m.sent, m.failed, m.retried, m.repeated} {
			c.WithLabelValues(string(ch)) // present at zero, so rates and alerts see them
		}
	}
	return m
}

// channel returns a known channel's name, "other" for anything else.
func channel(ch stockbell.Channel) string {
	if ch == stockbell.ChannelEmail || ch == stockbell.ChannelSMS {
		return string(ch)
	}
	return "other"
}

// MessageSent implements stockbell.MessageMetrics.
func (m *Metrics) MessageSent(ch stockbell.Channel, took time.Duration) {
	m.sent.WithLabelValues(channel(ch)).Inc()
	m.sendDuration.WithLabelValues(channel(ch)).Observe(took.Seconds())
}

// MessageFailed implements stockbell.MessageMetrics.
func (m *Metrics) MessageFailed(ch stockbell.Channel) { m.failed.WithLabelValues(channel(ch)).Inc() }

// MessageRetried implements stockbell.MessageMetrics.
func (m *Metrics) MessageRetried(ch stockbell.Channel) { m.retried.WithLabelValues(channel(ch)).Inc() }

// MessageResumed implements stockbell.MessageMetrics.
func (m *Metrics) MessageResumed(ch stockbell.Channel) { m.repeated.WithLabelValues(channel(ch)).Inc() }

// BatchStarted implements stockbell.RestockMetrics.
func (m *Metrics) BatchStarted() { m.batches.Inc() }
