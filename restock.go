package stockbell

import (
	"context"
	"time"
)

// RestockBatchJob claims the next chunk of a restock batch: the oldest
// queued subscribers of the batch's variant are marked notified and their
// first flow messages created. Chunk counts from 1; a chunk already claimed
// is not claimed again, so the job may run more than once.
type RestockBatchJob struct {
	// ShopID is the batch's shop (0 in a job queued before jobs carried
	// their shop: see JobShop).
	ShopID  int64 `json:"shop_id,omitempty"`
	BatchID int64 `json:"batch_id"`
	Chunk   int   `json:"chunk"`
}

// Kind implements JobArgs.
func (RestockBatchJob) Kind() string { return "restock_batch" }

// RestockWaitEndedJob runs when a variant's waiting period between batches
// ends: stock is counted again and the next batch sized from it.
type RestockWaitEndedJob struct {
	// ShopID is the variant's shop (0 in a job queued before jobs carried
	// their shop: see JobShop).
	ShopID    int64 `json:"shop_id,omitempty"`
	VariantID int64 `json:"variant_id"`
	// Until is the end of the period this job was scheduled for; a job for
	// a period that was since replaced does nothing.
	Until time.Time `json:"until"`
}

// Kind implements JobArgs.
func (RestockWaitEndedJob) Kind() string { return "restock_wait_ended" }

// SendMessageJob sends message rows of one shop (each one subscriber's flow
// step), one after another: MessageIDs, queued together by a restock chunk
// (at most SendJobMessages), or the single MessageID of a job queued alone
// (a held message approved) or before jobs carried several.
type SendMessageJob struct {
	// ShopID is the messages' shop (0 in a job queued before jobs carried
	// their shop: see JobShop).
	ShopID     int64   `json:"shop_id,omitempty"`
	MessageID  int64   `json:"message_id,omitempty"`
	MessageIDs []int64 `json:"message_ids,omitempty"`
}

// SendJobMessages is the most messages one SendMessageJob carries: enough
// that the queue's cost per job (insert, fetch, completion) is spread thin,
// few enough that a restock chunk still gives every worker a job.
const SendJobMessages = 100

// SendMaxAttempts is how many times the queue runs a send job whose
// provider refuses or cannot be reached for now, with its backoff between
// (about 4.3 hours from the first run to the last). On the last, a message
// still refused for now is recorded failed: the queue gives the job up
// after it, and nothing else would send or fail a message left pending.
const SendMaxAttempts = 10

// IDs returns the job's messages in the order they are to be sent.
func (j SendMessageJob) IDs() []int64 {
	if j.MessageID != 0 {
		return append([]int64{j.MessageID}, j.MessageIDs...)
	}
	return j.MessageIDs
}

// Kind implements JobArgs.
func (SendMessageJob) Kind() string { return "send_message" }

// RestockState is everything the restock engine decides on for one variant.
type RestockState struct {
	Variant    VariantWithProduct
	ShopActive bool
	Settings   RestockSettings
	FlowStatus FlowStatus
	// HasQueued reports whether any subscriber of the variant is queued.
	HasQueued bool
	// WaitingUntil is the end of the variant's waiting period, if any.
	WaitingUntil *time.Time
}

// SkipReason says why the engine or a message sent nobody anything.
type SkipReason string

// Skip reasons, recorded in the detail of EventSkipped events and in the
// error column of skipped messages.
const (
	SkipBelowMinimum     SkipReason = "below_minimum"
	SkipWaitingPeriod    SkipReason = "waiting_period"
	SkipShopUninstalled  SkipReason = "shop_uninstalled"
	SkipProductDeleted   SkipReason = "product_deleted"
	SkipVariantDeleted   SkipReason = "variant_deleted"
	SkipProductHidden    SkipReason = "product_unpublished"
	SkipFlowDraft        SkipReason = "flow_draft"
	SkipUnsubscribed     SkipReason = "unsubscribed"
	SkipOutOfStockAgain  SkipReason = "out_of_stock_again"
	SkipSmartSending     SkipReason = "smart_sending"
	SkipNoContact        SkipReason = "no_contact_for_channel"
	SkipStepRemoved      SkipReason = "step_removed_from_flow"
	SkipDiscarded        SkipReason = "discarded_by_merchant"
	SkipRemoved          SkipReason = "removed_by_merchant"
	SkipSubscriptionGone SkipReason = "subscription_not_notified"
	// SkipSoldOutAgain: at the end of a wait between batches the item had
	// no stock left (sold out again since the batch), so no batch followed.
	// SkipBelowMinimum stays the reason when some stock is left below the
	// minimum; SkipOutOfStockAgain is a message's, not the variant's.
	SkipSoldOutAgain SkipReason = "sold_out_again"
)

// RequeuesAfter reports whether a message skipped for reason at step of
// its flow puts its subscriber back in the queue. Only the alert (step 1)
// skipped because the item sold out again does: the shopper was told
// nothing, and the next restock tells them first. Other skips leave the
// subscriber notified: smart sending is the merchant's rule about the
// contact, not the item, and a shopper it skips would otherwise head every
// next batch while its window lasts, taking places the units allow.
func RequeuesAfter(step int, reason SkipReason) bool {
	return step == 1 && reason == SkipOutOfStockAgain
}

// BatchStart is a restock batch the engine decided to start.
type BatchStart struct {
	ShopID    int64
	VariantID int64
	// ExpectWaitingUntil is the waiting period the decision saw (nil: none).
	// If the stored one differs, another decision got there first and
	// StartBatch returns ECONFLICT so the engine decides again.
	ExpectWaitingUntil *time.Time
	// Everyone notifies every subscriber queued at Cutoff; otherwise Size.
	Everyone bool
	Size     int
	// Stock is the stock the batch was sized from; PerUnit the setting used.
	Stock   int
	PerUnit int
	// Wait starts a waiting period of that length after a batch that is
	// not to Everyone, whether or not subscribers remain queued (0: never).
	Wait time.Duration
	// WaitEnded records that this batch follows the end of a waiting period.
	WaitEnded bool
	// Cutoff bounds the batch to subscriptions made by then.
	Cutoff time.Time
}

// RestockBatch is a started batch.
type RestockBatch struct {
	ID        int64      `db:"id" json:"id"`
	ShopID    int64      `db:"shop_id" json:"shop_id"`
	VariantID int64      `db:"variant_id" json:"variant_id"`
	Everyone  bool       `db:"everyone" json:"everyone"`
	Size      int        `db:"size" json:"size"`
	Stock     int        `db:"stock" json:"stock"`
	Claimed   int        `db:"claimed" json:"claimed"`
	Chunks    int        `db:"chunks" json:"chunks"`
	Cutoff    time.Time  `db:"cutoff" json:"cutoff"`
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	DoneAt    *time.Time `db:"done_at" json:"done_at,omitempty"`
	// WaitingUntil is the waiting period the batch started, if any.
	WaitingUntil *time.Time `db:"-" json:"waiting_until,omitempty"`
}

// ChunkClaim asks for one chunk of a batch.
type ChunkClaim struct {
	ShopID  int64
	BatchID int64
	Chunk   int
	// Limit is the most subscribers one chunk (one transaction) claims.
	Limit int
}

// ChunkResult tells what a claim did.
type ChunkResult struct {
	Claimed int  // subscribers marked notified by this call
	Done    bool // the batch has nothing more to claim
}

// WaitEnd ends a variant's waiting period without a new batch.
type WaitEnd struct {
	ShopID    int64
	VariantID int64
	Until     time.Time // the period to end; another one is left alone
	Reason    SkipReason
	Stock     int
}

// RestockStore is the storage the restock engine needs. Each method runs
// one transaction: a batch's events, subscriber updates, messages and
// follow-up jobs exist together or not at all. Each takes the shop id (as
// an argument or its input's ShopID): another shop's variant or batch is
// not found.
type RestockStore interface {
	JobShops
	// FindRestockState reads the shop's variant's state. Returns ENOTFOUND.
	FindRestockState(ctx context.Context, shopID, variantID int64) (*RestockState, error)
	// RecordSkip records an EventSkipped decision about the shop's variant.
	// Returns ENOTFOUND.
	RecordSkip(ctx context.Context, shopID, variantID int64, reason SkipReason, detail map[string]any) error
	// StartBatch records the batch (restocked and batch_started events),
	// starts a waiting period after a sized batch, even one that takes
	// everyone queued (a wait_started event and a RestockWaitEndedJob),
	// clears it after a batch to everyone, and inserts the first
	// RestockBatchJob. Returns ECONFLICT when the waiting period changed
	// since the decision.
	StartBatch(ctx context.Context, start BatchStart) (*RestockBatch, error)
	// ClaimChunk marks the oldest queued subscribers of the batch notified
	// (by subscription time, ties by id, in O(chunk)), creates their first
	// messages (held when the flow is manual) with SendMessageJobs, records
	// notified events and inserts the next RestockBatchJob while more remain.
	// A chunk already claimed claims nothing.
	ClaimChunk(ctx context.Context, claim ChunkClaim) (*ChunkResult, error)
	// EndWait clears the waiting period that ends at Until and records
	// wait_ended and, with a reason, skipped. It reports false when the
	// variant is no longer in that period.
	EndWait(ctx context.Context, end WaitEnd) (bool, error)
}

// MessageDelivery is a message with everything needed to decide whether to
// send it and to render it.
type MessageDelivery struct {
	Message      Message
	Subscription Subscription
	Shop         Shop
	Variant      VariantWithProduct
	// Step is the message's flow step; StepFound is false when the flow no
	// longer has that step.
	Step      FlowStep
	StepFound bool
	// LastStep is true when the flow, as read with the message, has no
	// step after the message's: its outcome ends the subscriber's flow.
	LastStep bool
	// LastSentToRecipient is when the shop last sent anything else to the
	// message's recipient (for smart sending).
	LastSentToRecipient *time.Time
	// Settings are the shop's restock settings as read with the message
	// (its quiet hours for texts).
	Settings RestockSettings
}

// AttemptOutcome tells what BeginAttempt found.
type AttemptOutcome int

// Attempt outcomes.
const (
	AttemptBegun  AttemptOutcome = iota // the caller may send now
	AttemptDone                         // the message is no longer pending: do nothing
	AttemptLeased                       // another runner is sending it: try later
	// AttemptResumed: the caller may send now, but an earlier attempt ended
	// without recording an outcome (its process died, or it outlived its
	// lease, while the provider may have been accepting the message). The
	// recipient may get this message twice.
	AttemptResumed
	// AttemptSubscriptionLeft: the message's subscription is no longer
	// notified (it unsubscribed, say) since the caller read it; nothing
	// was leased. The caller decides again (SendStepResult carries the
	// status) and records the message's outcome.
	AttemptSubscriptionLeft
	// AttemptShopUninstalled: the message's shop was uninstalled since the
	// caller read it; nothing was leased. The caller records the message
	// skipped.
	AttemptShopUninstalled
	// AttemptChannelLeft: the message is a text and its subscription, still
	// notified, no longer has SMS (the number replied STOP) since the caller
	// read it; nothing was leased. The caller decides again (SendStepResult
	// carries the subscription's status and channels) and records the
	// message's outcome.
	AttemptChannelLeft
	// AttemptSmartSending: the message's step has smart sending on
	// (SendStep.SmartSendingSince) and the shop sent another message to
	// its recipient within the window since the caller read it; nothing
	// was leased. The caller records the message skipped (SkipSmartSending).
	AttemptSmartSending
)

// MessageResult is the final outcome of one message.
type MessageResult struct {
	ShopID     int64
	MessageID  int64
	Status     MessageStatus // sent, failed or skipped
	ProviderID string
	Segments   int
	Reason     string // why it failed or was skipped
	// StopFlow ends the subscriber's flow here: no later step is created.
	StopFlow bool
	// Requeue puts the subscriber of a skipped alert (the flow's first
	// step), who heard nothing of the restock, back in the queue in their
	// place: not notified, their flow stopped (see RequeuesAfter).
	Requeue bool
	// Resumed records that the attempt followed one whose outcome is
	// unknown (AttemptResumed): the recipient may have the message twice.
	Resumed bool
	// Attempt is the attempt that reached this outcome (SendStepResult's
	// Attempt), 0 for an outcome decided without one (a message skipped
	// before it was leased). Any other outcome than sent that names an
	// attempt is recorded only while that attempt holds the lease, so an
	// attempt that outlived its lease cannot overwrite the outcome of the
	// attempt that took the message over; a sent outcome is recorded
	// whenever the message is still pending, since the provider did accept
	// it and recording it stops further sends.
	Attempt int
}

// MessageStore is the storage the message sender needs. Each method takes
// the shop id: another shop's message is not found (or not changed).
type MessageStore interface {
	JobShops
	// FindMessageDelivery loads the shop's message and its context.
	// Returns ENOTFOUND.
	FindMessageDelivery(ctx context.Context, shopID, messageID int64) (*MessageDelivery, error)
	// BeginAttempt counts an attempt on a pending message and leases it
	// until leaseUntil, so two runners never send it at once. It returns
	// AttemptResumed instead of AttemptBegun when the previous attempt's
	// lease ran out without a result, AttemptLeased with the time the
	// current lease ends, AttemptSubscriptionLeft (leasing nothing)
	// when the message's subscription is no longer notified,
	// AttemptChannelLeft (leasing nothing) when the message is a text and
	// its subscription no longer has SMS, and AttemptShopUninstalled
	// (leasing nothing) when its shop is not installed.
	BeginAttempt(ctx context.Context, shopID, messageID int64, leaseUntil time.Time) (AttemptOutcome, time.Time, error)
	// FinishMessage records the outcome of a pending message with its event
	// and creates the next flow step's message and job (or, for a result
	// with Requeue, puts its subscriber back in the queue). It reports false
	// (and changes nothing) when the message was no longer pending.
	FinishMessage(ctx context.Context, result MessageResult) (bool, error)
	// ReleaseAttempt ends the lease of a pending message whose attempt failed
	// transiently and records the error, so the retry may send at once.
	// With outcomeUnknown (the provider may have accepted the message) the
	// retry's BeginAttempt answers AttemptResumed.
	ReleaseAttempt(ctx context.Context, shopID, messageID int64, reason string, outcomeUnknown bool) error
	// FindMessageDeliveries loads the shop's messages among ids with their
	// context, in one read, in the order of ids; ids of other shops and of
	// erased messages are left out.
	FindMessageDeliveries(ctx context.Context, shopID int64, ids []int64) ([]*MessageDelivery, error)
	// AdvanceSend records the outcomes of the shop's messages (as
	// FinishMessage does) and the releases of failed attempts (as
	// ReleaseAttempt does) and then, when Begin is set, begins an attempt on
	// that message (as BeginAttempt does), in one transaction: a sender
	// working through a job's messages pays one transaction per message.
	// A Begin with SmartSendingSince is leased in a second transaction,
	// after the first commits (see SendStep).
	AdvanceSend(ctx context.Context, shopID int64, step SendStep) (SendStepResult, error)
}

// SendStep is one step of a sender working through messages: the outcomes
// of those it finished, then the next one to lease.
type SendStep struct {
	Finished []MessageResult
	// Released are attempts that failed transiently (see ReleaseAttempt).
	Released []AttemptRelease
	// Begin is the message to lease until LeaseUntil (0: none).
	Begin      int64
	LeaseUntil time.Time
	// SmartSendingSince, for a message whose step has smart sending on, is
	// the start of its window (zero: off). The message is then leased in a
	// transaction of its own, one at a time per recipient of the shop,
	// only if nothing else was sent to the recipient since: otherwise the
	// answer is AttemptSmartSending, or AttemptLeased until the end of the
	// lease of another message being sent to the recipient, so that two
	// follow-ups sent at once by two workers do not both go.
	SmartSendingSince time.Time
}

// AttemptRelease ends the lease of a message whose attempt failed
// transiently, with the error; OutcomeUnknown when the provider may have
// accepted the message.
type AttemptRelease struct {
	MessageID      int64
	Reason         string
	OutcomeUnknown bool
	// Attempt is the attempt released (SendStepResult's Attempt): the
	// release is recorded only while it holds the lease (0: whoever does).
	Attempt int
}

// SendStepResult is what AdvanceSend found: Outcome and HeldUntil are
// BeginAttempt's answer for SendStep.Begin; SubscriptionStatus and
// SubscriptionChannels are the status and channels of the message's
// subscription when Outcome is AttemptSubscriptionLeft or
// AttemptChannelLeft.
type SendStepResult struct {
	Outcome   AttemptOutcome
	HeldUntil time.Time
	// HeldForRecipient, with AttemptLeased, tells that what holds the
	// message back is the lease of another message to its recipient (smart
	// sending, see SendStep.SmartSendingSince), not its own.
	HeldForRecipient     bool
	SubscriptionStatus   SubscriptionStatus
	SubscriptionChannels Channels
	// Attempt numbers the attempt begun (AttemptBegun or AttemptResumed):
	// the message's attempts counted with it. It names the lease's holder
	// in the outcome or release the attempt ends with.
	Attempt int
	// Channel is the channel of the message leased (AttemptBegun or
	// AttemptResumed). A caller that read the message on another channel
	// reads it again before sending it: the message was moved since (STOP
	// moves a text alert of a shopper who keeps an email to the email).
	Channel Channel
}

// HeldMessageService lets a merchant act on messages a manual flow holds.
type HeldMessageService interface {
	// ApproveMessage queues a held message for sending; a held subscriber
	// is notified then (SubscriptionNotified, EventNotified). Returns ENOTFOUND,
	// or ECONFLICT when the message is not held.
	ApproveMessage(ctx context.Context, shopID, messageID int64) error
	// DiscardMessage skips a held message (and the rest of its flow); a
	// held subscriber is discarded (SubscriptionDiscarded), never
	// notified. Returns ENOTFOUND, or ECONFLICT when the message is not held.
	DiscardMessage(ctx context.Context, shopID, messageID int64) error
}
