package store

import (
	"testing"
	"time"
)

// newGatherer is a group writer's queue without a database, with the
// given linger, for gather alone.
func newGatherer(linger time.Duration) (*groupCommit, *time.Timer) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	return &groupCommit{linger: linger, reqs: make(chan *groupWrite, maxBatch)}, timer
}

// gatherOrFail runs gather on the first request queued and fails the test
// if it has not returned within a few seconds: it waited longer than it
// should have (the tests' lingers are a millisecond or an hour).
func gatherOrFail(t *testing.T, g *groupCommit, previous int, timer *time.Timer) []*groupWrite {
	t.Helper()
	done := make(chan []*groupWrite, 1)
	go func() { done <- g.gather([]*groupWrite{<-g.reqs}, previous, timer) }()
	select {
	case batch := <-done:
		return batch
	case <-time.After(5 * time.Second):
		t.Fatal("gather waited for more requests")
		return nil
	}
}

func queueWrites(g *groupCommit, n int) {
	for range n {
		g.reqs <- &groupWrite{}
	}
}

// After a batch of one (no concurrency) a writer takes what is queued and
// does not wait, however long its linger: a lone request is not delayed.
func TestGatherAfterALoneRequestDoesNotWait(t *testing.T) {
	g, timer := newGatherer(time.Hour)
	queueWrites(g, 1)
	batch := gatherOrFail(t, g, 1, timer)
	if len(batch) != 1 {
		t.Fatalf("batch of %d, want the one queued", len(batch))
	}
	queueWrites(g, 2)
	batch = gatherOrFail(t, g, 1, timer)
	if len(batch) != 2 {
		t.Fatalf("batch of %d, want both queued", len(batch))
	}
}

// A writer that finds at least half as many queued as its previous batch
// held commits them at once: the linger (an hour here) is not waited.
func TestGatherWithHalfThePreviousBatchDoesNotWait(t *testing.T) {
	g, timer := newGatherer(time.Hour)
	queueWrites(g, 5)
	batch := gatherOrFail(t, g, 10, timer)
	if len(batch) != 5 {
		t.Fatalf("batch of %d, want the 5 queued", len(batch))
	}
}

// A writer that finds fewer than half its previous batch waits for the
// requests still on their way, until the batch is as large as the previous
// one; the rest stay queued for the next batch.
func TestGatherWaitsForAsManyAsThePreviousBatch(t *testing.T) {
	g, timer := newGatherer(time.Hour)
	done := make(chan []*groupWrite, 1)
	go func() { done <- g.waitForMore([]*groupWrite{{}}, 8, timer) }()
	queueWrites(g, 11)
	select {
	case batch := <-done:
		if len(batch) != 8 {
			t.Fatalf("batch of %d, want 8 (as many as the previous batch)", len(batch))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait did not stop at the previous batch's size")
	}
	if left := len(g.reqs); left != 4 {
		t.Fatalf("%d left queued, want 4", left)
	}
}

// The wait starts only when fewer than half the previous batch are
// queued: with one of eight queued and none coming, gather returns no
// sooner than the linger.
func TestGatherWaitsWhenFewerThanHalfAreQueued(t *testing.T) {
	const linger = 20 * time.Millisecond
	g, timer := newGatherer(linger)
	queueWrites(g, 1)
	start := time.Now()
	if batch := gatherOrFail(t, g, 8, timer); len(batch) != 1 {
		t.Fatalf("batch of %d, want the one queued", len(batch))
	}
	if waited := time.Since(start); waited < linger {
		t.Fatalf("gather returned after %v, before its linger of %v", waited, linger)
	}
}

// When no more come, the wait ends with the linger and the batch holds
// what came; the writer's timer is left stopped for the next gather.
func TestGatherWaitsNoLongerThanTheLinger(t *testing.T) {
	g, timer := newGatherer(time.Millisecond)
	queueWrites(g, 2)
	batch := gatherOrFail(t, g, 20, timer)
	if len(batch) != 2 {
		t.Fatalf("batch of %d, want the 2 queued", len(batch))
	}
	g.linger = time.Hour
	queueWrites(g, 3)
	if batch = gatherOrFail(t, g, 3, timer); len(batch) != 3 {
		t.Fatalf("second batch of %d, want 3", len(batch))
	}
}
