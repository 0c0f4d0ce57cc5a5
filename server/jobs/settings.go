package jobs

import "time"

// The queue's settings. The server runs with these and nothing else, and
// the tests that prove crash recovery (the three-replica kill test in
// package server) start real servers with them: Config has no field a test
// could use to make its own run recover faster than production does.
const (
	// PollInterval is how often a worker looks for new jobs when it was not
	// told of one. On PostgreSQL workers are notified (LISTEN/NOTIFY) and
	// start within milliseconds; on SQLite they poll.
	PollInterval = time.Second

	// FetchCooldown is the least time between two fetches of available
	// jobs. Each fetch takes at most as many jobs as there are free
	// workers, so it bounds one process's throughput at MaxWorkers jobs per
	// FetchCooldown: River's default (100 ms) held a process to 100 jobs a
	// second, far below what a burst of webhooks needs.
	FetchCooldown = 5 * time.Millisecond

	// JobTimeout bounds a job whose kind is registered without a timeout of
	// its own (Handle with 0). Those are the quick kinds: a restock
	// decision, a batch chunk, a send each take milliseconds, a slow
	// provider or a loaded database a few seconds. A job cancelled at its
	// timeout is retried.
	JobTimeout = 20 * time.Second

	// RescueStuckJobsAfter makes a job whose process died while running it
	// (killed, out of memory, host lost) available to the other processes
	// again: once it has been running longer than this and than its kind's
	// timeout, the queue's next rescue pass retries it. It is just above
	// JobTimeout, so a live job of a quick kind is always cancelled before
	// it could be rescued; kinds with a longer timeout of their own are
	// rescued after that timeout instead.
	RescueStuckJobsAfter = JobTimeout + 10*time.Second

	// RescueInterval is how often River's rescuer looks for stuck jobs (its
	// fixed default; River offers no setting for it).
	RescueInterval = 30 * time.Second

	// ScheduleInterval is how often River makes due retries and scheduled
	// jobs available (its fixed default).
	ScheduleInterval = 5 * time.Second

	// MaxAttempts is how many times a job is tried before it is discarded.
	MaxAttempts = 10

	// DecisionQueue is the queue of the restock decisions (the
	// stock-changed and wait-ended jobs); every other kind runs in River's
	// default queue with Config.MaxWorkers workers.
	DecisionQueue = "restock_decisions"

	// DecisionWorkers is how many restock decisions run at once in a
	// process. A decision is one read and at most one short write, and a
	// fetch takes at most as many jobs as there are free workers: with the
	// default queue's ten, a burst of stock changes was fetched ten jobs per
	// FetchCooldown, each fetch and each completion a write of its own on
	// SQLite. Fifty fetch and complete the same jobs in fewer, larger
	// statements, and no longer wait behind slow sends.
	DecisionWorkers = 50

	// DecisionFetchCooldown is FetchCooldown for the restock decisions on
	// PostgreSQL, where the queue listens for new jobs. Each insert
	// notification wakes the decision queue of every replica, and each
	// fetches: at 5 ms, three replicas made a fetch (a statement and a
	// transaction of its own) per decision, most of them finding one job
	// or none, against one fetch per three decisions with one replica.
	// At 25 ms three replicas make one per two decisions; a process still
	// fetches up to DecisionWorkers decisions per 25 ms (2,000 a second),
	// several times what it processes on PostgreSQL. SQLite has one
	// process and is woken by its own inserts: FetchCooldown there.
	DecisionFetchCooldown = 25 * time.Millisecond
)

// RecoveryBound is the longest a quick job left running by a dead process
// waits before another process starts it again: it becomes stuck
// RescueStuckJobsAfter after it started, the next rescue pass (at most
// RescueInterval later) schedules its retry one second out (±10%), and
// the scheduler makes that retry available within ScheduleInterval. A rescue
// pass runs on the elected leader; when the dead process was the leader,
// another takes over within about 20 s, which the first two terms cover.
const RecoveryBound = RescueStuckJobsAfter + RescueInterval + 1100*time.Millisecond + ScheduleInterval
