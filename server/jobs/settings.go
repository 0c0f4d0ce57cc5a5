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

	// MaxAttempts is how many times a job is tried before it is discarded,
	// unless its kind has a number of its own (send jobs:
	// stockbell.SendMaxAttempts; confirmation send jobs:
	// stockbell.ConfirmationMaxAttempts).
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

	// SendQueue is the queue of the send jobs (send_message: a chunk's
	// messages, sent one after another); every other kind but the
	// decisions runs in River's default queue.
	SendQueue = "send_messages"

	// SendWorkers is how many send jobs run at once in a process. A
	// sending worker spends most of each message waiting for its step's
	// group commit (on PostgreSQL 1.9 ms against 0.5 ms for the SMTP
	// exchange, with ten), and a group gathers at most one step per
	// worker, so more workers make larger groups and fewer commits per
	// message: 20,000 emails went out on PostgreSQL at 0.62 of a bare
	// go-mail loop with the default queue's ten workers, 0.76 with twenty
	// in this queue (SQLite: 0.74, 0.76; bench: BenchmarkRestockMail).
	// What reaches the provider at once is bounded apart, by the sender's
	// sessions (STOCKBELL_SMTP_MAX_SESSIONS) and rate; what a crash can
	// send twice is at most one message per sending worker (docs/delivery.md).
	// In a queue of their own, sends neither wait behind nor hold up the
	// default queue's STOCKBELL_WORKERS (chunk claims, webhooks out, reports).
	SendWorkers = 20
)

// RecoveryBound is the longest a quick job left running by a dead process
// waits before another process starts it again: it becomes stuck
// RescueStuckJobsAfter after it started, the next rescue pass (at most
// RescueInterval later) schedules its retry one second out (±10%), and
// the scheduler makes that retry available within ScheduleInterval. A rescue
// pass runs on the elected leader; when the dead process was the leader,
// another takes over within about 20 s, which the first two terms cover.
const RecoveryBound = RescueStuckJobsAfter + RescueInterval + 1100*time.Millisecond + ScheduleInterval
