package stockbell

import (
	"fmt"
	"time"
)

// How stock changes are ordered, for every platform.
//
// A location's level changes on the platform, and Stockbell learns of it in
// two ways: the platform pushes the change (a webhook, a module's post) or
// Stockbell reads the level (a catalog sync, a reconciliation, a feed, a
// re-read). Both arrive late and out of order, so each is ordered against
// the stored level before it is applied, by two rules:
//
//   - Platform times are compared only with platform times, in whole
//     seconds (Shopify sends updated_at in seconds; a finer time is
//     truncated). Stockbell's own clock never orders a platform's change.
//   - Stockbell's own record order (the stock sequence, StockRead.Seq and
//     InventoryLevel.Seq) tells whether a stored level was written before a
//     read began: such a read saw that level's change and supersedes it.
//
// A pushed change is applied when it is newer than the stored level. When
// it looks older than what a read stored, or carries the same second with
// a different quantity, or either side has no platform time, it is resolved
// by reading the level again (StockReread) — never dropped. Only a change
// older than a stored pushed change is ignored: that is the out-of-order
// delivery the platforms warn of.
//
// A disconnect keeps the location's level as a tombstone (Disconnected),
// with its own sequence number and the platform time it carried, so that
// what the platform showed or sent before it does not bring the location
// back: a read begun before the tombstone was written is ignored unless
// the platform's times show the level it read is newer (the location was
// connected again), and a pushed change is ordered against the
// disconnect's platform time as against any pushed change: applied when
// newer, ignored when older, re-read when it cannot be ordered. A
// tombstone counts in no stock and in no listing of levels.

// LevelOrigin says how Stockbell learnt a stored level.
type LevelOrigin string

// Level origins.
const (
	LevelRead   LevelOrigin = "read"   // read from the platform's API: a snapshot of its state
	LevelChange LevelOrigin = "change" // a change the platform pushed
)

// StockRead marks one read of a platform's stock: CatalogService's
// BeginStockRead returns it before the platform is asked, and every level
// of the answer is applied with it. The zero StockRead is a read that
// begins when it is applied: right only when nothing else writes the same
// levels while the platform is asked.
type StockRead struct {
	// Seq is the stock sequence number taken when the read began.
	Seq int64
}

// StockVerdict says what to do with a stock change, given the stored level.
type StockVerdict string

// Stock verdicts.
const (
	StockApply     StockVerdict = "apply"     // newer: record it and recompute the stock
	StockRefresh   StockVerdict = "refresh"   // same quantity, newer knowledge: record its times only
	StockDuplicate StockVerdict = "duplicate" // nothing new
	StockIgnore    StockVerdict = "ignore"    // stale: what is stored is newer
	StockReread    StockVerdict = "reread"    // cannot be ordered: read the level from the platform again
)

// StockDecision is DecideStockChange's answer. Reason says why for
// StockIgnore and StockReread, in words for the activity log.
type StockDecision struct {
	Verdict StockVerdict
	Reason  string
}

// DecideStockChange orders one location's change against its stored level
// (nil when the location has none). It is a pure function: the store calls
// it inside the transaction that holds the variant's lock.
func DecideStockChange(stored *InventoryLevel, c StockChange) StockDecision {
	if stored == nil {
		if c.Disconnected {
			return StockDecision{Verdict: StockDuplicate}
		}
		return StockDecision{Verdict: StockApply}
	}
	switch {
	case stored.Disconnected:
		return decideAfterDisconnect(stored, c)
	case c.Read != nil:
		return decideRead(stored, c)
	}
	return decidePush(stored, c)
}

// decideAfterDisconnect orders a change against the tombstone of a
// disconnected location. A read begun after the disconnect, or a push
// newer than it, connects the location again; a second disconnect is
// nothing new.
func decideAfterDisconnect(tomb *InventoryLevel, c StockChange) StockDecision {
	switch {
	case c.Disconnected:
		return StockDecision{Verdict: StockDuplicate}
	case c.Read != nil && (c.Read.Seq == 0 || tomb.Seq < c.Read.Seq):
		return StockDecision{Verdict: StockApply}
	case c.Read != nil:
		return decideReadAfterDisconnect(tomb, c)
	case c.At.IsZero():
		return reread("the change carries no platform time to order it against the location's disconnect")
	case tomb.PlatformUpdatedAt == nil:
		return reread("the location's disconnect carries no platform time to order the change against")
	}
	switch compareSeconds(c.At, *tomb.PlatformUpdatedAt) {
	case 1:
		return StockDecision{Verdict: StockApply}
	case 0:
		return reread("changed in the same second (%s) as the location was disconnected", stamp(c.At))
	}
	if tomb.Origin == LevelRead {
		return reread("older (%s) than the read that disconnected the location at %s", stamp(c.At), stamp(*tomb.PlatformUpdatedAt))
	}
	return ignore("older (%s) than the change of %s that disconnected the location", stamp(c.At), stamp(*tomb.PlatformUpdatedAt))
}

// decideReadAfterDisconnect orders a read that was in flight when the
// location was disconnected: it still lists the location, but saw it
// before the disconnect unless the platform's times show its level newer.
func decideReadAfterDisconnect(tomb *InventoryLevel, c StockChange) StockDecision {
	if tomb.PlatformUpdatedAt == nil || c.At.IsZero() {
		return ignore("the location was disconnected while the read was in flight, and the platform gave no time to order the two")
	}
	switch compareSeconds(c.At, *tomb.PlatformUpdatedAt) {
	case 1:
		return StockDecision{Verdict: StockApply}
	case 0:
		return ignore("read in the same second (%s) as the location was disconnected while the read was in flight", stamp(c.At))
	}
	return ignore("read older (%s) than the location, disconnected at %s while the read was in flight", stamp(c.At), stamp(*tomb.PlatformUpdatedAt))
}

// decideRead orders a level read from the platform. A read supersedes every
// level written before it began. A level written while it was in flight is
// kept unless the platform's times show the read is newer: the platform
// pushes every change, so a newer state the read saw arrives as a push too.
func decideRead(stored *InventoryLevel, c StockChange) StockDecision {
	same := sameQuantity(stored, c)
	if c.Read.Seq == 0 || stored.Seq < c.Read.Seq {
		switch {
		case !same:
			return StockDecision{Verdict: StockApply}
		case stored.Origin == LevelRead && sameTime(stored.PlatformUpdatedAt, c.At):
			return StockDecision{Verdict: StockDuplicate}
		}
		return StockDecision{Verdict: StockRefresh}
	}
	if same {
		return StockDecision{Verdict: StockDuplicate}
	}
	if stored.PlatformUpdatedAt == nil || c.At.IsZero() {
		return ignore("the level changed while the read was in flight, and the platform gave no time to order the two")
	}
	switch compareSeconds(c.At, *stored.PlatformUpdatedAt) {
	case 1:
		return StockDecision{Verdict: StockApply}
	case 0:
		return ignore("read in the same second (%s) as a different level recorded while the read was in flight", stamp(c.At))
	}
	return ignore("read older (%s) than the level of %s recorded while the read was in flight", stamp(c.At), stamp(*stored.PlatformUpdatedAt))
}

// decidePush orders a change the platform pushed.
func decidePush(stored *InventoryLevel, c StockChange) StockDecision {
	same := sameQuantity(stored, c)
	switch {
	case same && (c.At.IsZero() || stored.PlatformUpdatedAt == nil):
		return StockDecision{Verdict: StockDuplicate}
	case c.At.IsZero():
		return reread("the change carries no platform time to order it")
	case stored.PlatformUpdatedAt == nil && stored.Origin == LevelRead:
		return reread("the stored level was read without a platform time")
	case stored.PlatformUpdatedAt == nil:
		return reread("the stored level carries no platform time")
	}
	storedAt := *stored.PlatformUpdatedAt
	switch compareSeconds(c.At, storedAt) {
	case 1:
		if same {
			return StockDecision{Verdict: StockRefresh}
		}
		return StockDecision{Verdict: StockApply}
	case 0:
		if same {
			return StockDecision{Verdict: StockDuplicate}
		}
		return reread("changed in the same second (%s) as the stored level, to a different quantity", stamp(c.At))
	}
	switch {
	case same:
		return StockDecision{Verdict: StockDuplicate}
	case stored.Origin == LevelRead:
		return reread("older (%s) than the level read at %s", stamp(c.At), stamp(storedAt))
	}
	return ignore("older (%s) than the change of %s already applied", stamp(c.At), stamp(storedAt))
}

// sameQuantity reports whether the change leaves the stored level as it is.
func sameQuantity(stored *InventoryLevel, c StockChange) bool {
	return !c.Disconnected && c.Available == stored.Available
}

func sameTime(stored *time.Time, at time.Time) bool {
	if stored == nil || at.IsZero() {
		return stored == nil && at.IsZero()
	}
	return compareSeconds(*stored, at) == 0
}

// compareSeconds compares two platform times in whole seconds.
func compareSeconds(a, b time.Time) int {
	return a.Truncate(time.Second).Compare(b.Truncate(time.Second))
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func ignore(format string, args ...any) StockDecision {
	return StockDecision{Verdict: StockIgnore, Reason: fmt.Sprintf(format, args...)}
}

func reread(format string, args ...any) StockDecision {
	return StockDecision{Verdict: StockReread, Reason: fmt.Sprintf(format, args...)}
}

// ReadLevelChanges are the changes that make one read's levels of a
// variant its complete set of locations: each level the read lists, as a
// change of base, and each stored location the read no longer lists (a
// source or location unassigned from the variant on the platform), as
// base's disconnect. base names the shop, the variant, the read and the
// source. Applied together (CatalogService.ApplyStockChanges), a location
// no longer listed stops counting in the same transaction as the others'
// levels are written, so the stock is never their sum with a stale level.
func ReadLevelChanges(base StockChange, levels []LocationLevel, stored []*InventoryLevel) []StockChange {
	listed := make(map[string]bool, len(levels))
	changes := make([]StockChange, 0, len(levels)+len(stored))
	for _, l := range levels {
		listed[l.LocationID] = true
		change := base
		change.LocationID, change.Available, change.At = l.LocationID, l.Available, l.UpdatedAt
		changes = append(changes, change)
	}
	for _, l := range stored {
		if !listed[l.LocationID] {
			change := base
			change.LocationID, change.Disconnected = l.LocationID, true
			changes = append(changes, change)
		}
	}
	return changes
}
