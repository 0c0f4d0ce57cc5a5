package restock

import (
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// Action is what a decision does.
type Action int

// Actions.
const (
	// ActNone does nothing: no one is queued, stock is gone, or the trigger is stale.
	ActNone Action = iota
	// ActSkip records that a restock notified no one, and why.
	ActSkip
	// ActBatch starts a notification batch.
	ActBatch
	// ActEndWait ends a waiting period without a new batch.
	ActEndWait
)

// Trigger says why the engine is deciding.
type Trigger struct {
	// WaitEnded is set when the waiting period ending at Until is over;
	// otherwise the variant's stock or availability changed.
	WaitEnded bool
	Until     time.Time
}

// Decision is the outcome of Decide.
type Decision struct {
	Action Action
	Reason stockbell.SkipReason
	// Everyone notifies every queued subscriber; otherwise Size of them.
	Everyone bool
	Size     int
	// Stock is the stock the decision saw (and a batch is sized from).
	Stock   int
	PerUnit int
	// Wait is the waiting period to start after the batch, whether or not
	// subscribers remain (0 for a batch to everyone).
	Wait time.Duration
}

// Decide applies the restock rules to a variant's state at now.
func Decide(s stockbell.RestockState, now time.Time, t Trigger) Decision {
	if t.WaitEnded {
		return decideWaitEnd(s, now, t.Until)
	}
	if !s.HasQueued {
		return Decision{Action: ActNone, Stock: s.Variant.Stock}
	}
	if !available(s) {
		if s.Variant.Stock > 0 {
			return skip(s, stockbell.SkipBelowMinimum)
		}
		return Decision{Action: ActNone, Stock: s.Variant.Stock}
	}
	if s.WaitingUntil != nil && now.Before(*s.WaitingUntil) {
		return skip(s, stockbell.SkipWaitingPeriod)
	}
	if reason := blocker(s); reason != "" {
		return skip(s, reason)
	}
	return batch(s)
}

// decideWaitEnd recounts at the end of a waiting period: a new batch sized
// from current stock, or the end of the waiting period.
func decideWaitEnd(s stockbell.RestockState, now, until time.Time) Decision {
	if s.WaitingUntil == nil || !s.WaitingUntil.Equal(until) || now.Before(until) {
		return Decision{Action: ActNone, Stock: s.Variant.Stock}
	}
	end := Decision{Action: ActEndWait, Stock: s.Variant.Stock}
	if reason := blocker(s); reason != "" {
		end.Reason = reason
		return end
	}
	if !s.HasQueued {
		return end
	}
	if !available(s) {
		end.Reason = belowMinimumReason(s)
		return end
	}
	return batch(s)
}

// belowMinimumReason says why a wait ended without a batch when the stock
// is short of the minimum: it sold out again (nothing left), or some is
// left but below the minimum.
func belowMinimumReason(s stockbell.RestockState) stockbell.SkipReason {
	if s.Variant.Stock <= 0 {
		return stockbell.SkipSoldOutAgain
	}
	return stockbell.SkipBelowMinimum
}

// available reports whether the variant counts as back in stock: its stock
// reached the minimum, or it is untracked or keeps selling when out of stock.
func available(s stockbell.RestockState) bool {
	return unlimited(s.Variant.Variant) || s.Variant.Stock >= s.Settings.MinInventory
}

// unlimited reports whether the variant's stock does not limit sales.
func unlimited(v stockbell.Variant) bool {
	return !v.Tracked || v.InventoryPolicy == stockbell.InventoryContinue
}

// blocker returns why no one may be notified whatever the stock, or "".
func blocker(s stockbell.RestockState) stockbell.SkipReason {
	switch {
	case !s.ShopActive:
		return stockbell.SkipShopUninstalled
	case s.Variant.Deleted:
		return stockbell.SkipProductDeleted
	case s.Variant.VariantDeleted:
		return stockbell.SkipVariantDeleted
	case !s.Variant.Published:
		return stockbell.SkipProductHidden
	case !s.FlowStatus.Notifies():
		return stockbell.SkipFlowDraft
	}
	return ""
}

func skip(s stockbell.RestockState, reason stockbell.SkipReason) Decision {
	return Decision{Action: ActSkip, Reason: reason, Stock: s.Variant.Stock}
}

// batch sizes a batch: everyone when customers per unit is unset or stock
// does not limit sales, else stock × customers per unit, with a waiting
// period to follow even if the batch takes everyone queued.
func batch(s stockbell.RestockState) Decision {
	d := Decision{Action: ActBatch, Stock: s.Variant.Stock, PerUnit: s.Settings.PerUnit}
	if s.Settings.PerUnit == 0 || unlimited(s.Variant.Variant) {
		d.Everyone = true
		return d
	}
	d.Size = s.Variant.Stock * s.Settings.PerUnit
	d.Wait = s.Settings.Wait
	return d
}
