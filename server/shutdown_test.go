package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestJobsRunUntilCloseAfterTheSignal cancels the context the server was
// started with, as SIGINT and SIGTERM do to serve's, and checks that the
// job workers keep working until Close: the signal starts the graceful
// shutdown (HTTP first, then the workers, each with the shutdown timeout),
// it does not cancel running jobs on the spot.
func TestJobsRunUntilCloseAfterTheSignal(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { jobsRunAfterTheSignal(t, dbURL) })
	}
}

func jobsRunAfterTheSignal(t *testing.T, dbURL string) {
	env := &cliEnv{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard,
		getenv: testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})}
	cfg, err := loadConfig(env)
	if err != nil {
		t.Fatal(err)
	}
	signalled, signal := context.WithCancel(context.Background())
	m := NewMain(cfg, newLogger(cfg, io.Discard))
	if err := m.Run(signalled); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	signal()

	ctx := context.Background()
	inserted, err := m.Queue.Client.Insert(ctx, stockbell.ExpireDataRequestsJob{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		job, err := m.Queue.Client.JobGet(ctx, inserted.Job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if job.State == rivertype.JobStateCompleted {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a job queued after the signal is %s, not run: the workers stopped before Close", job.State)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAShutdownThatTimesOutSaysWhat signals serve while a request is
// still being received and checks that, once STOCKBELL_SHUTDOWN_TIMEOUT
// has passed, serve exits 1 with a line that says what was cut off and
// which setting bounds the wait, rather than "context deadline exceeded".
// shutdownAdvice is what the line of a shutdown cut short tells the
// operator to do.
const shutdownAdvice = "to let them finish, raise STOCKBELL_SHUTDOWN_TIMEOUT"

func TestAShutdownThatTimesOutSaysWhat(t *testing.T) {
	addr := freeAddr(t)
	getenv := testEnv(t, map[string]string{"STOCKBELL_ADDR": addr, "STOCKBELL_SHUTDOWN_TIMEOUT": "300ms"})
	signalled, signal := context.WithCancel(context.Background())
	defer signal()
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	go func() { exited <- Execute(signalled, []string{"serve"}, getenv, nil, io.Discard, &stderr) }()
	conn := dialWhenServing(t, addr)
	defer conn.Close()
	// Headers and a body that never arrives in full: the request stays in flight.
	fmt.Fprintf(conn, "POST /api/storefront/v1/subscriptions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", addr)
	time.Sleep(100 * time.Millisecond)
	signal()
	code, last := exitAndLastLine(t, exited, &stderr, 30*time.Second)
	if code != 1 || !strings.Contains(last, "STOCKBELL_SHUTDOWN_TIMEOUT (300ms) ran out: requests still in flight were cut off") ||
		!strings.Contains(last, shutdownAdvice) {
		t.Fatalf("want exit 1 and the requests cut off at STOCKBELL_SHUTDOWN_TIMEOUT, got %d and %q", code, last)
	}
}

// TestAShutdownThatCutsOffAJobSaysWhat signals serve while a job runs
// (a feed's first sync, whose feed never answers) and checks that, once
// STOCKBELL_SHUTDOWN_TIMEOUT has passed, serve exits 1 with a line that
// says the running jobs were cancelled, naming their kinds, as README.md
// promises: an exit 0 would tell a supervisor that nothing was cut off.
func TestAShutdownThatCutsOffAJobSaysWhat(t *testing.T) {
	for dialect, dbURL := range databaseURLs(t) {
		t.Run(string(dialect), func(t *testing.T) { shutdownCutsOffAJob(t, dbURL) })
	}
}

func shutdownCutsOffAJob(t *testing.T, dbURL string) {
	fetching := make(chan struct{}, 1)
	release := make(chan struct{})
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case fetching <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer feed.Close()
	defer close(release)
	addr := freeAddr(t)
	getenv := testEnv(t, map[string]string{"STOCKBELL_ADDR": addr, "STOCKBELL_SHUTDOWN_TIMEOUT": "300ms", "STOCKBELL_DATABASE_URL": dbURL})
	if code, out, errOut := run(t, getenv, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d, %q %q", code, out, errOut)
	}
	if code, out, errOut := run(t, getenv, "shop", "add", "--platform", "feed", "--domain", feedDomain, "--feed-url", feed.URL+"/slow.json"); code != 0 {
		t.Fatalf("shop add: exit %d, %q %q", code, out, errOut)
	}
	signalled, signal := context.WithCancel(context.Background())
	defer signal()
	var stderr syncBuffer
	exited := make(chan int, 1)
	go func() { exited <- Execute(signalled, []string{"serve"}, getenv, nil, io.Discard, &stderr) }()
	select {
	case <-fetching:
	case <-time.After(30 * time.Second):
		t.Fatalf("the feed's first sync never ran:\n%s", stderr.String())
	}
	signal()
	code, last := exitAndLastLine(t, exited, &stderr, 30*time.Second)
	if code != 1 || !strings.Contains(last, "STOCKBELL_SHUTDOWN_TIMEOUT (300ms) ran out: running jobs were cancelled to be retried: feed_sync") ||
		!strings.Contains(last, shutdownAdvice) {
		t.Fatalf("want exit 1 and the running job cut off at STOCKBELL_SHUTDOWN_TIMEOUT, got %d and %q", code, last)
	}
}

// dialWhenServing connects to addr once the server serves its routes
// there. The listener answers before the server is wired and its workers
// start, with 503 to anything but /healthz, so a request sent as soon as
// it listens would be answered at once, and never be in flight when the
// signal comes: /readyz answered 200 first shows the routes are served.
func dialWhenServing(t *testing.T, addr string) net.Conn {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil && resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			err = fmt.Errorf("/readyz answered %s", resp.Status)
		}
		if err == nil {
			resp.Body.Close()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatalf("dial %s: %v", addr, err)
			}
			return conn
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never served on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestASignalWhileStartingStopsCleanly signals serve while it waits for a
// migration lock another process holds (a rollout stopped before this
// replica started): it stops at once and exits 0 saying it was stopped
// while starting, as after a signal once serving, rather than exiting 1
// with "take migration lock: context canceled".
func TestASignalWhileStartingStopsCleanly(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	dbURL := storetest.FreshPostgresURL(t)
	holdMigrationLockElsewhere(t, dbURL, "replica-migrating")
	getenv := testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL})
	signalled, signal := context.WithCancel(context.Background())
	defer signal()
	var stderr syncBuffer
	exited := make(chan int, 1)
	go func() { exited <- Execute(signalled, []string{"serve"}, getenv, nil, io.Discard, &stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "waiting for the migration lock") {
		if time.Now().After(deadline) {
			t.Fatalf("serve never waited for the migration lock:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	signal()
	code, last := exitAndLastLine(t, exited, &stderr, 10*time.Second)
	if out := stderr.String(); code != 0 || !strings.Contains(last, "shutting down while starting") || strings.Contains(out, "context canceled") {
		t.Fatalf("want exit 0 and a last line saying it shut down while starting, got %d and %q", code, out)
	}
}

// exitAndLastLine waits at most wait for serve's exit code, then returns
// it with the last line serve wrote to stderr.
func exitAndLastLine(t *testing.T, exited <-chan int, stderr fmt.Stringer, wait time.Duration) (int, string) {
	t.Helper()
	select {
	case code := <-exited:
		out := strings.TrimRight(stderr.String(), "\n")
		return code, out[strings.LastIndex(out, "\n")+1:]
	case <-time.After(wait):
		t.Fatal("serve did not exit")
		return 0, ""
	}
}

// TestAShutdownSaysWhatItWaitsForAndThatItEnded signals a serving server
// with nothing in flight: the "shutting down" line says how long it may
// wait (STOCKBELL_SHUTDOWN_TIMEOUT) and for what, and the last line says
// that everything finished, with exit 0, so that an operator reading the
// log of a stopped replica can tell a clean stop from one cut off.
func TestAShutdownSaysWhatItWaitsForAndThatItEnded(t *testing.T) {
	addr := freeAddr(t)
	getenv := testEnv(t, map[string]string{"STOCKBELL_ADDR": addr, "STOCKBELL_SHUTDOWN_TIMEOUT": "7s"})
	signalled, signal := context.WithCancel(context.Background())
	defer signal()
	var stderr syncBuffer
	exited := make(chan int, 1)
	go func() { exited <- Execute(signalled, []string{"serve"}, getenv, nil, io.Discard, &stderr) }()
	dialWhenServing(t, addr).Close()
	signal()
	code, last := exitAndLastLine(t, exited, &stderr, 30*time.Second)
	var shuttingDown string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, `msg="shutting down`) {
			shuttingDown = line
		}
	}
	if !strings.Contains(shuttingDown, "waits_up_to=7s") || !strings.Contains(shuttingDown, "requests in flight, then webhook receipts and jobs being processed") {
		t.Errorf("the shutting down line does not say how long it waits and for what: %q", shuttingDown)
	}
	if code != 0 || !strings.Contains(last, `msg="shut down: the requests, webhook receipts and jobs in hand finished"`) {
		t.Errorf("want exit 0 and a last line saying the shutdown finished, got %d and %q", code, last)
	}
}
