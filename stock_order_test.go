package stockbell

import (
	"strings"
	"testing"
	"time"
)

func TestDecideStockChange(t *testing.T) {
	// T is a platform time; Stockbell's clock appears nowhere in the rule.
	T := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := T.Add(d); return &t }
	read := func(available int, platformAt *time.Time, seq int64) *InventoryLevel {
		return &InventoryLevel{Available: available, PlatformUpdatedAt: platformAt, Origin: LevelRead, Seq: seq}
	}
	pushed := func(available int, platformAt *time.Time, seq int64) *InventoryLevel {
		return &InventoryLevel{Available: available, PlatformUpdatedAt: platformAt, Origin: LevelChange, Seq: seq}
	}
	push := func(available int, d time.Duration) StockChange {
		return StockChange{Available: available, At: T.Add(d)}
	}
	readAt := func(available int, d time.Duration, seq int64) StockChange {
		return StockChange{Available: available, At: T.Add(d), Read: &StockRead{Seq: seq}}
	}
	// disconnected is the tombstone a disconnect left.
	disconnected := func(platformAt *time.Time, origin LevelOrigin, seq int64) *InventoryLevel {
		return &InventoryLevel{PlatformUpdatedAt: platformAt, Origin: origin, Seq: seq, Disconnected: true}
	}
	untimed := func(c StockChange) StockChange { c.At = time.Time{}; return c }
	gone := func(c StockChange) StockChange { c.Disconnected = true; return c }

	cases := []struct {
		name   string
		stored *InventoryLevel
		change StockChange
		want   StockVerdict
		reason string // a word the reason must hold
	}{
		{"first level", nil, push(2, 0), StockApply, ""},
		{"first read", nil, readAt(2, 0, 5), StockApply, ""},
		{"disconnect of nothing", nil, gone(push(0, 0)), StockDuplicate, ""},

		// Pushed changes against a read.
		{"push a second after the read level", read(0, at(0), 1), push(2, time.Second), StockApply, ""},
		{"push in the read level's second, same quantity", read(2, at(0), 1), push(2, 500*time.Millisecond), StockDuplicate, ""},
		{"push in the read level's second, other quantity", read(0, at(0), 1), push(2, 999*time.Millisecond), StockReread, "same second"},
		{"push older than the read level", read(0, at(0), 1), push(2, -time.Second), StockReread, "older"},
		{"older push agreeing with the read", read(2, at(0), 1), push(2, -time.Hour), StockDuplicate, ""},
		{"push after a read without time", read(0, nil, 1), push(2, time.Hour), StockReread, "without a platform time"},
		{"older push after a read without time", read(0, nil, 1), push(2, -time.Hour), StockReread, "without a platform time"},
		{"push agreeing with a read without time", read(2, nil, 1), push(2, time.Hour), StockDuplicate, ""},
		{"untimed push after a read", read(0, at(0), 1), untimed(push(2, 0)), StockReread, "no platform time"},
		{"disconnect older than the read", read(3, at(0), 1), gone(push(0, -time.Second)), StockReread, "older"},

		// Pushed changes against a pushed change: the platforms' out-of-order deliveries.
		{"newer push", pushed(0, at(0), 1), push(2, time.Second), StockApply, ""},
		{"newer push, same quantity", pushed(2, at(0), 1), push(2, time.Second), StockRefresh, ""},
		{"older push after a newer one", pushed(2, at(0), 1), push(9, -time.Second), StockIgnore, "older"},
		{"older disconnect after a newer push", pushed(2, at(0), 1), gone(push(0, -time.Minute)), StockIgnore, "older"},
		{"retry of the same push", pushed(2, at(0), 1), push(2, 0), StockDuplicate, ""},
		{"two pushes in one second", pushed(2, at(0), 1), push(1, 300*time.Millisecond), StockReread, "same second"},
		{"disconnect in the push's second", pushed(2, at(0), 1), gone(push(0, 0)), StockReread, "same second"},
		{"untimed push after a push", pushed(2, at(0), 1), untimed(push(1, 0)), StockReread, "no platform time"},
		{"untimed retry of a push", pushed(2, at(0), 1), untimed(push(2, 0)), StockDuplicate, ""},
		{"timed push after an untimed one", pushed(2, nil, 1), push(1, -time.Hour), StockReread, "carries no platform time"},

		// Reads: one begun after the level was written supersedes it.
		{"read begun after the push", pushed(2, at(0), 4), readAt(0, -time.Hour, 5), StockApply, ""},
		{"read begun after, same quantity", pushed(2, at(0), 4), readAt(2, 0, 5), StockRefresh, ""},
		{"repeat read", read(2, at(0), 4), readAt(2, 0, 5), StockDuplicate, ""},
		{"repeat read without times", read(2, nil, 4), untimed(readAt(2, 0, 5)), StockDuplicate, ""},
		{"read begun when applied", pushed(2, at(0), 4), readAt(0, -time.Hour, 0), StockApply, ""},
		{"read no longer lists the location", read(2, at(0), 4), gone(readAt(0, 0, 5)), StockApply, ""},

		// Reads in flight while a level was written.
		{"in-flight read newer by the platform", pushed(2, at(0), 6), readAt(0, time.Second, 5), StockApply, ""},
		{"in-flight read older by the platform", pushed(2, at(0), 6), readAt(0, -time.Second, 5), StockIgnore, "older"},
		{"in-flight read in the same second", pushed(2, at(0), 6), readAt(0, 0, 5), StockIgnore, "same second"},
		{"in-flight read agreeing", pushed(2, at(0), 6), readAt(2, -time.Hour, 5), StockDuplicate, ""},
		{"in-flight read without time", pushed(2, at(0), 6), untimed(readAt(0, 0, 5)), StockIgnore, "in flight"},
		{"in-flight read dropping a location", pushed(2, at(0), 6), gone(readAt(0, 0, 5)), StockIgnore, "in flight"},

		// Against a disconnected location: what the platform sent or showed
		// before the disconnect does not bring the location back.
		{"read begun before the disconnect", disconnected(at(0), LevelChange, 6), readAt(2, -time.Hour, 5), StockIgnore, "disconnected"},
		{"read begun before, in the disconnect's second", disconnected(at(0), LevelChange, 6), readAt(2, 0, 5), StockIgnore, "disconnected"},
		{"read begun before, without time", disconnected(at(0), LevelChange, 6), untimed(readAt(2, 0, 5)), StockIgnore, "disconnected"},
		{"read begun before an untimed disconnect", disconnected(nil, LevelRead, 6), readAt(2, 0, 5), StockIgnore, "disconnected"},
		{"read begun before, newer by the platform", disconnected(at(0), LevelChange, 6), readAt(2, time.Second, 5), StockApply, ""},
		{"read begun after the disconnect", disconnected(at(0), LevelChange, 4), readAt(2, -time.Hour, 5), StockApply, ""},
		{"read begun after, of nothing", disconnected(nil, LevelRead, 4), untimed(readAt(0, 0, 5)), StockApply, ""},
		{"read begun when applied, after a disconnect", disconnected(at(0), LevelChange, 4), readAt(2, -time.Hour, 0), StockApply, ""},
		{"push newer than the disconnect", disconnected(at(0), LevelChange, 4), push(2, time.Second), StockApply, ""},
		{"push older than the disconnect", disconnected(at(0), LevelChange, 4), push(2, -time.Second), StockIgnore, "disconnected"},
		{"push in the disconnect's second", disconnected(at(0), LevelChange, 4), push(2, 0), StockReread, "same second"},
		{"untimed push after a disconnect", disconnected(at(0), LevelChange, 4), untimed(push(2, 0)), StockReread, "no platform time"},
		{"push after an untimed disconnect", disconnected(nil, LevelChange, 4), push(2, time.Hour), StockReread, "disconnect"},
		{"push after a read's disconnect", disconnected(nil, LevelRead, 4), push(2, -time.Hour), StockReread, "disconnect"},
		{"disconnect of a disconnected location", disconnected(at(0), LevelChange, 4), gone(push(0, time.Hour)), StockDuplicate, ""},
		{"read's disconnect of a disconnected location", disconnected(nil, LevelRead, 4), gone(readAt(0, 0, 5)), StockDuplicate, ""},
		{"untimed disconnect of a disconnected location", disconnected(at(0), LevelChange, 4), untimed(gone(push(0, 0))), StockDuplicate, ""},
	}
	for _, c := range cases {
		got := DecideStockChange(c.stored, c.change)
		if got.Verdict != c.want || !strings.Contains(got.Reason, c.reason) {
			t.Errorf("%s: %s (%q), want %s (%q)", c.name, got.Verdict, got.Reason, c.want, c.reason)
		}
		if (got.Verdict == StockIgnore || got.Verdict == StockReread) == (got.Reason == "") {
			t.Errorf("%s: verdict %s with reason %q: only ignored and re-read changes give one", c.name, got.Verdict, got.Reason)
		}
	}
}

// TestDecideStockChangeComparesWholeSeconds: Shopify sends updated_at in
// whole seconds; a read's finer time is not taken as later than a change
// made after it within the same second.
func TestDecideStockChangeComparesWholeSeconds(t *testing.T) {
	readAt := time.Date(2026, 3, 1, 12, 0, 0, 700_000_000, time.UTC)
	stored := &InventoryLevel{Available: 0, PlatformUpdatedAt: &readAt, Origin: LevelRead, Seq: 1}
	change := StockChange{Available: 2, At: readAt.Truncate(time.Second)}
	if got := DecideStockChange(stored, change); got.Verdict == StockIgnore || got.Verdict == StockApply {
		t.Fatalf("a change in the read's second was %s, want it re-read", got.Verdict)
	}
	change.At = readAt.Truncate(time.Second).Add(time.Second)
	if got := DecideStockChange(stored, change); got.Verdict != StockApply {
		t.Fatalf("a change in the next second was %s, want applied", got.Verdict)
	}
}
