package stockbell

import "time"

// Operators' metrics. Components report what happened through these small
// interfaces; server/metrics exports them to Prometheus. Implementations
// are called on hot paths: they must be cheap and safe for concurrent use.
// A component whose metrics field is nil reports nothing.

// MessageMetrics counts what the message sender does, by channel.
type MessageMetrics interface {
	// MessageSent: the provider accepted a message; took is the provider
	// call's duration.
	MessageSent(channel Channel, took time.Duration)
	// MessageFailed: a message failed for good (the provider refused it).
	MessageFailed(channel Channel)
	// MessageRetried: an attempt failed transiently and will be retried.
	MessageRetried(channel Channel)
	// MessageResumed: a message is being sent again after an attempt whose
	// outcome is unknown (AttemptResumed): the at-least-once repeat risk.
	MessageResumed(channel Channel)
	// MessageHeldForQuietHours: a send run held a text, left pending, for
	// its recipient's quiet hours (RestockSettings.QuietUntil). A text
	// held again by a later run of its job is counted again.
	MessageHeldForQuietHours(channel Channel)
	// MessageSkipped: a send run skipped a message for reason (smart
	// sending, unsubscribed, sold out again…) rather than sending it.
	MessageSkipped(channel Channel, reason SkipReason)
	// MessagePutOff: a send run left a message pending, unleased, for a
	// later run of its job, for reason; a message put off again by that
	// run is counted again. Texts held for quiet hours are counted by
	// MessageHeldForQuietHours instead.
	MessagePutOff(channel Channel, reason PutOffReason)
}

// PutOffReason is why a send run put a message off to a later run of its
// job rather than sending it now.
type PutOffReason string

// Put-off reasons.
const (
	// PutOffSmartSending: the message's step has smart sending on and
	// another message to its recipient is being sent; the later run, at
	// that message's lease's end, sends it or skips it (SkipSmartSending).
	PutOffSmartSending PutOffReason = "smart_sending"
	// PutOffHeldByAnotherAttempt: another attempt holds the message's own
	// lease (a duplicate or rescued job, or a process that died while
	// sending it); the later run, at the lease's end, finds it sent or
	// sends it.
	PutOffHeldByAnotherAttempt PutOffReason = "held_by_another_attempt"
	// PutOffSendBudgetUsed: the job's send budget ran out before the
	// message (restock.DefaultSendBudget); a fresh run sends it at once.
	PutOffSendBudgetUsed PutOffReason = "send_budget_used"
	// PutOffJobCancelled: the job's last attempt was cancelled (its timeout
	// or its process stopping) before the message; a fresh run sends it.
	// The message whose send was cut off is counted retried instead.
	PutOffJobCancelled PutOffReason = "job_cancelled"
)

// RestockMetrics counts the restock engine's decisions.
type RestockMetrics interface {
	// BatchStarted: a restock batch started for a variant.
	BatchStarted()
}

// SubscriptionMetrics counts the subscriptions created, on the storefront
// and through the API.
type SubscriptionMetrics interface {
	// SubscriptionCreated: a new subscription was stored (a repeat of one
	// already waiting is not counted) for these channels.
	SubscriptionCreated(channels Channels)
}

// ConfirmationMetrics counts double opt-in: requests sent and
// confirmations given, by channel (and method: link or reply).
type ConfirmationMetrics interface {
	// ConfirmationRequested: a confirmation request left for a channel.
	ConfirmationRequested(channel Channel)
	// Confirmed: a shopper confirmed a channel.
	Confirmed(channel Channel, method ConfirmationMethod)
}

// WebhookMetrics counts the webhooks platforms post.
type WebhookMetrics interface {
	// WebhookReceived: a platform's webhook was answered. outcome is
	// "stored", "duplicate" (a retry of an event already stored), or the
	// error code it was refused with (EUNAUTHORIZED for a bad signature,
	// EINVALID, ETOOLARGE, EINTERNAL when it could not be stored…).
	WebhookReceived(platform Platform, outcome string)
}

// The webhook outcomes that are not errors.
const (
	WebhookStored    = "stored"
	WebhookDuplicate = "duplicate"
)
