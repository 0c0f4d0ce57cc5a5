package jobs

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// runningJobs counts the jobs of each kind this process's handlers run
// now, so that a shutdown cut short names the jobs it cancelled.
type runningJobs struct {
	mu     sync.Mutex
	byKind map[string]int
}

// start counts a job of the kind as running, until the function it
// returns is called.
func (r *runningJobs) start(kind string) (done func()) {
	r.mu.Lock()
	r.byKind[kind]++
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		if r.byKind[kind]--; r.byKind[kind] == 0 {
			delete(r.byKind, kind)
		}
		r.mu.Unlock()
	}
}

// kinds names the kinds running, sorted, with how many of each when more
// than one ("feed_sync", "send_message ×2"); nil for a queue that runs
// no jobs.
func (r *runningJobs) kinds() []string {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.byKind))
	for kind, n := range r.byKind {
		if n > 1 {
			kind = fmt.Sprintf("%s ×%d", kind, n)
		}
		names = append(names, kind)
	}
	slices.Sort(names)
	return names
}

// runningJobs is what the workers' handlers count running; nil for no
// workers (an insert-only queue).
func (w *Workers) runningJobs() *runningJobs {
	if w == nil {
		return nil
	}
	return w.running
}

// CutOffError is Stop's error when its context ended before the running
// jobs finished: they were cancelled, to run again later.
type CutOffError struct {
	// Running names the kinds of the jobs that were running (see
	// runningJobs.kinds); empty when none ran.
	Running []string
	Err     error
}

func (e *CutOffError) Error() string {
	if len(e.Running) == 0 {
		return e.Err.Error()
	}
	return "jobs cancelled (" + strings.Join(e.Running, ", ") + "): " + e.Err.Error()
}

func (e *CutOffError) Unwrap() error { return e.Err }
