package stockbell

import (
	"context"
	"time"
)

// HeldBatch is a restock batch whose messages a manual flow holds for the
// merchant to approve or discard, all at once.
type HeldBatch struct {
	Batch   RestockBatch
	Variant VariantWithProduct
	// Held counts the batch's held messages; Recipients names the first few.
	Held       int
	Recipients []string
	// FirstHeldAt is when the oldest of them was prepared.
	FirstHeldAt time.Time
}

// HeldBatchDecision is the merchant's last decision on a held batch.
type HeldBatchDecision struct {
	BatchID int64
	// Approved says the batch was approved; else it was discarded.
	Approved bool
	// Messages counts the held messages the decision sent or dropped:
	// Alerts of them were alerts (a flow's first message) and FollowUps
	// its later messages. Both are 0 for a decision recorded before
	// Stockbell counted them apart.
	Messages          int
	Alerts, FollowUps int
	At                time.Time
	// By is who decided, as their admin session named them; it is the zero
	// AdminUser for a decision recorded before Stockbell kept its maker.
	By AdminUser
	// Earlier are the shop's decisions on the batch before this one, oldest
	// first: a batch approved, say, whose follow-up messages held since were
	// then discarded, reads as the discard with the approval before it.
	Earlier []HeldBatchDecision
}

// HeldBatchService lists and acts on the batches a manual flow holds.
// Every method is scoped to the shop.
type HeldBatchService interface {
	// FindHeldBatches returns the shop's batches with held messages, oldest first.
	FindHeldBatches(ctx context.Context, shopID int64) ([]*HeldBatch, error)
	// CountHeldBatches counts the batches FindHeldBatches would list.
	CountHeldBatches(ctx context.Context, shopID int64) (int, error)
	// ApproveHeldBatch queues every held message of the batch for sending,
	// in one transaction, and returns how many; its held subscribers are
	// notified then. Returns ENOTFOUND when the shop has no held message
	// in that batch. by, who approved it, is recorded with the decision.
	ApproveHeldBatch(ctx context.Context, shopID, batchID int64, by AdminUser) (int, error)
	// DiscardHeldBatch skips every held message of the batch (and the rest
	// of their flows) and returns how many; its held subscribers are
	// discarded, never notified. by, who discarded it, is recorded with the
	// decision. Returns ENOTFOUND as Approve.
	DiscardHeldBatch(ctx context.Context, shopID, batchID int64, by AdminUser) (int, error)
	// FindHeldBatchDecision returns the shop's last approval or discard
	// of the batch. Returns ENOTFOUND when the shop never decided on it.
	FindHeldBatchDecision(ctx context.Context, shopID, batchID int64) (*HeldBatchDecision, error)
}
