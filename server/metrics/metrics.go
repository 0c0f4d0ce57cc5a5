// Package metrics exports what the components report through the root
// package's metrics interfaces (stockbell.MessageMetrics, RestockMetrics…)
// as Prometheus series. Every label value comes from a fixed set (a
// channel, a platform, an outcome, a job kind), never from input, so the
// number of series stays bounded whatever clients send.
package metrics

import (
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	stockbell "github.com/stockbell/stockbell"
)

// Metrics implements the root package's metrics interfaces on a registry.
type Metrics struct {
	registry                        prometheus.Registerer
	sent, failed, retried, repeated *prometheus.CounterVec
	quietHeld, skipped, putOff      *prometheus.CounterVec
	sendDuration                    *prometheus.HistogramVec
	batches                         prometheus.Counter
	subscriptions                   *prometheus.CounterVec
	confirmationsRequested          *prometheus.CounterVec
	confirmations                   *prometheus.CounterVec
	webhooks                        *prometheus.CounterVec
}

var (
	_ stockbell.MessageMetrics      = (*Metrics)(nil)
	_ stockbell.RestockMetrics      = (*Metrics)(nil)
	_ stockbell.SubscriptionMetrics = (*Metrics)(nil)
	_ stockbell.WebhookMetrics      = (*Metrics)(nil)
	_ stockbell.ConfirmationMetrics = (*Metrics)(nil)
)

// channels and webhookOutcomes are the label values series are created
// with at zero (the send-latency histogram too, with no observations), so
// that rates, dashboards and alerts see them from the first scrape rather
// than after the first event; the webhook series, for the platforms served
// (see WatchWebhooks).
var (
	channels        = []stockbell.Channel{stockbell.ChannelEmail, stockbell.ChannelSMS}
	webhookOutcomes = []string{stockbell.WebhookStored, stockbell.WebhookDuplicate, stockbell.EUNAUTHORIZED, stockbell.EINVALID,
		stockbell.ETOOLARGE, stockbell.EINTERNAL}
)

// New registers Stockbell's series on the registry.
func New(registry prometheus.Registerer) *Metrics {
	byChannel := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"channel"})
	}
	m := &Metrics{
		registry: registry,
		sent:     byChannel("stockbell_messages_sent_total", "Messages a provider accepted, by channel."),
		failed:   byChannel("stockbell_messages_failed_total", "Messages that failed for good (the provider refused them), by channel."),
		retried:  byChannel("stockbell_messages_retried_total", "Send attempts that failed transiently and will be retried, by channel."),
		repeated: byChannel("stockbell_messages_possibly_repeated_total",
			"Messages sent again after an attempt whose outcome is unknown (its process died or it outlived its lease "+
				"while the provider was being called): each may have reached its recipient twice. The at-least-once window."),
		sendDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stockbell_message_send_duration_seconds", Help: "How long the provider took to accept a message, by channel.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"channel"}),
		quietHeld: byChannel("stockbell_messages_held_for_quiet_hours_total",
			"Texts a send run held, left pending, for their recipient's quiet hours, by channel (a text held again "+
				"by a later run of its job counts again)."),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockbell_messages_skipped_total",
			Help: "Messages a send run skipped rather than sent, by channel and reason (smart_sending, unsubscribed, out_of_stock_again…).",
		}, []string{"channel", "reason"}),
		putOff: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockbell_messages_put_off_total",
			Help: "Messages a send run left pending for a later run of its job, by channel and reason (smart_sending: another " +
				"message to the recipient was being sent; held_by_another_attempt, send_budget_used, job_cancelled). " +
				"A message put off again counts again.",
		}, []string{"channel", "reason"}),
		batches: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stockbell_restock_batches_total", Help: "Restock batches started.",
		}),
		subscriptions: byChannel("stockbell_subscriptions_created_total",
			"Subscriptions created, by shoppers on the storefront or through the API (/api/v1), by channel "+
				"(one to email and SMS counts once in each; a repeat of one already waiting is not counted)."),
		confirmationsRequested: byChannel("stockbell_confirmations_requested_total",
			"Double opt-in requests sent (a text or an email with a confirmation link), by channel."),
		confirmations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockbell_confirmations_total",
			Help: "Channels shoppers confirmed (double opt-in), by channel and method (link or reply).",
		}, []string{"channel", "method"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockbell_webhook_receipts_total",
			Help: "Webhooks platforms posted, by platform and outcome (stored, duplicate, or the error code they were refused with).",
		}, []string{"platform", "outcome"}),
	}
	registry.MustRegister(m.sent, m.failed, m.retried, m.repeated, m.quietHeld, m.skipped, m.putOff, m.sendDuration, m.batches, m.subscriptions,
		m.confirmationsRequested, m.confirmations, m.webhooks)
	for _, ch := range channels {
		for _, c := range []*prometheus.CounterVec{m.sent, m.failed, m.retried, m.repeated, m.quietHeld, m.subscriptions, m.confirmationsRequested} {
			c.WithLabelValues(string(ch))
		}
		for _, reason := range skipReasons {
			m.skipped.WithLabelValues(string(ch), string(reason))
		}
		m.skipped.WithLabelValues(string(ch), otherReason)
		for _, reason := range putOffReasons {
			m.putOff.WithLabelValues(string(ch), string(reason))
		}
		m.putOff.WithLabelValues(string(ch), otherReason)
		m.sendDuration.WithLabelValues(string(ch))
		for _, method := range confirmationMethods {
			m.confirmations.WithLabelValues(string(ch), string(method))
		}
	}
	return m
}

// WatchWebhooks serves stockbell_webhook_receipts_total at zero, for every
// outcome, for each of platforms (those whose webhook route the server
// serves). A platform whose route is not served, an app that is not
// configured, gets no series: none could ever move.
func (m *Metrics) WatchWebhooks(platforms []stockbell.Platform) {
	for _, p := range platforms {
		for _, outcome := range webhookOutcomes {
			m.webhooks.WithLabelValues(platform(p), outcome)
		}
	}
}

// skipReasons are the reasons a send run skips a message for
// (server/restock SkipMessage and the lease's outcomes); any other is
// counted as "other".
var skipReasons = []stockbell.SkipReason{stockbell.SkipSmartSending, stockbell.SkipUnsubscribed, stockbell.SkipOutOfStockAgain,
	stockbell.SkipShopUninstalled, stockbell.SkipProductDeleted, stockbell.SkipVariantDeleted, stockbell.SkipProductHidden,
	stockbell.SkipStepRemoved, stockbell.SkipSubscriptionGone}

// otherReason counts the skips or put-offs of a reason not in skipReasons
// or putOffReasons (none today: a guard on the label's values); it is
// served at zero too, as README.md lists it among the reasons.
const otherReason = "other"

// knownReason returns r when it is among known, otherReason otherwise.
func knownReason[R ~string](known []R, r R) string {
	if slices.Contains(known, r) {
		return string(r)
	}
	return otherReason
}

// putOffReasons are the reasons a send run puts a message off for.
var putOffReasons = []stockbell.PutOffReason{stockbell.PutOffSmartSending, stockbell.PutOffHeldByAnotherAttempt,
	stockbell.PutOffSendBudgetUsed, stockbell.PutOffJobCancelled}

// confirmationMethods are the ways a channel is confirmed.
var confirmationMethods = []stockbell.ConfirmationMethod{stockbell.ConfirmedByLink, stockbell.ConfirmedByReply}

// ConfirmationRequested implements stockbell.ConfirmationMetrics.
func (m *Metrics) ConfirmationRequested(ch stockbell.Channel) {
	m.confirmationsRequested.WithLabelValues(channel(ch)).Inc()
}

// Confirmed implements stockbell.ConfirmationMetrics.
func (m *Metrics) Confirmed(ch stockbell.Channel, method stockbell.ConfirmationMethod) {
	if !slices.Contains(confirmationMethods, method) {
		method = "other"
	}
	m.confirmations.WithLabelValues(channel(ch), string(method)).Inc()
}

// platform returns a known platform's name, "other" for anything else.
func platform(p stockbell.Platform) string {
	if p.Valid() {
		return string(p)
	}
	return "other"
}

// outcome returns a known webhook outcome, "internal" for anything else.
func outcome(o string) string {
	if slices.Contains(webhookOutcomes, o) {
		return o
	}
	return stockbell.EINTERNAL
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

// MessageHeldForQuietHours implements stockbell.MessageMetrics.
func (m *Metrics) MessageHeldForQuietHours(ch stockbell.Channel) {
	m.quietHeld.WithLabelValues(channel(ch)).Inc()
}

// MessageSkipped implements stockbell.MessageMetrics.
func (m *Metrics) MessageSkipped(ch stockbell.Channel, reason stockbell.SkipReason) {
	m.skipped.WithLabelValues(channel(ch), knownReason(skipReasons, reason)).Inc()
}

// SubscriptionCreated implements stockbell.SubscriptionMetrics.
func (m *Metrics) SubscriptionCreated(chs stockbell.Channels) {
	for _, ch := range chs {
		m.subscriptions.WithLabelValues(channel(ch)).Inc()
	}
}

// WebhookReceived implements stockbell.WebhookMetrics.
func (m *Metrics) WebhookReceived(p stockbell.Platform, o string) {
	m.webhooks.WithLabelValues(platform(p), outcome(o)).Inc()
}

// BatchStarted implements stockbell.RestockMetrics.
func (m *Metrics) BatchStarted() { m.batches.Inc() }

// MessagePutOff implements stockbell.MessageMetrics.
func (m *Metrics) MessagePutOff(ch stockbell.Channel, reason stockbell.PutOffReason) {
	m.putOff.WithLabelValues(channel(ch), knownReason(putOffReasons, reason)).Inc()
}
