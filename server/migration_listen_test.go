package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockbell/stockbell/server/store/storetest"
)

// TestAServerWaitingForMigrationsAnswersItsProbes: another process holds
// the migration lock (a replica of the previous rollout migrating). A
// server starting on the database, with the shipped wait, answers on its
// address meanwhile: /healthz 200 saying it waits for migrations, /readyz
// 503 naming the holder, any other route and the metrics listener 503
// with Retry-After and a reason. Once the lock is released the same
// addresses serve the real routes, without ever refusing a connection.
func TestAServerWaitingForMigrationsAnswersItsProbes(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	dbURL := storetest.FreshPostgresURL(t)
	pid, release := holdMigrationLockElsewhere(t, dbURL, "replica-migrating")
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	starting := startInBackground(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL,
		"STOCKBELL_ADDR": addr, "STOCKBELL_METRICS_ADDR": metricsAddr}))
	starting.waitForLog(t, "waiting for the migration lock")
	base, metricsBase := "http://"+addr, "http://"+metricsAddr

	checkAnswersWhileWaiting(t, base, metricsBase, fmt.Sprintf("pid %d", pid))
	refusals := probeConnections(base + "/healthz")
	release()
	if err := starting.result(); err != nil {
		t.Fatalf("run after the lock was released: %v\n%s", err, starting.logs.String())
	}
	if errs := refusals(); len(errs) > 0 {
		t.Errorf("%d requests to /healthz failed while the server took over its listener, the first: %v", len(errs), errs[0])
	}
	checkServesItsRoutes(t, base, metricsBase)
}

// checkAnswersWhileWaiting checks what a server waiting for the migration
// lock held by holder answers.
func checkAnswersWhileWaiting(t *testing.T, base, metricsBase, holder string) {
	t.Helper()
	if code, body := get(t, base+"/healthz"); code != http.StatusOK || !strings.Contains(body, `"status":"ok"`) || !strings.Contains(body, "migration lock") {
		t.Errorf("/healthz while waiting = %d %s, want 200 saying it waits for the migration lock", code, body)
	}
	if resp := do(t, http.MethodHead, base+"/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD /healthz while waiting = %d, want 200", resp.StatusCode)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "migration lock") || !strings.Contains(body, holder) {
		t.Errorf("/readyz while waiting = %d %s, want 503 naming the lock's holder (%s)", code, body, holder)
	}
	if resp := do(t, http.MethodHead, base+"/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("HEAD /readyz while waiting = %d, want 503", resp.StatusCode)
	}
	for _, url := range []string{base + "/snippet.js", base + "/admin", metricsBase + "/metrics"} {
		resp := do(t, http.MethodGet, url)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.Contains(resp.body, "migration") {
			t.Errorf("%s while waiting = %d (Retry-After %q, %s) %q, want 503 with Retry-After and a plain-text reason",
				url, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), resp.body)
		}
	}
}

// checkServesItsRoutes checks that a started server serves its own routes.
func checkServesItsRoutes(t *testing.T, base, metricsBase string) {
	t.Helper()
	if code, body := get(t, base+"/healthz"); code != http.StatusOK || strings.Contains(body, "migration") {
		t.Errorf("/healthz once started = %d %s", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusOK || !strings.Contains(body, `"database":"ok"`) {
		t.Errorf("/readyz once started = %d %s, want 200", code, body)
	}
	if code, body := get(t, base+"/snippet.js"); code != http.StatusOK || strings.Contains(body, "migration") {
		t.Errorf("/snippet.js once started = %d %.200s, want the snippet", code, body)
	}
	if code, body := get(t, metricsBase+"/metrics"); code != http.StatusOK || !strings.Contains(body, "stockbell_database_up") {
		t.Errorf("/metrics once started = %d %.200s, want the metrics", code, body)
	}
}

// TestAPortInUseFailsBeforeWaitingForTheMigrationLock: with another
// process holding the migration lock, a server whose address is taken
// exits 1 naming the setting at once, rather than after the wait.
func TestAPortInUseFailsBeforeWaitingForTheMigrationLock(t *testing.T) {
	if !hasPostgres(t) {
		return
	}
	dbURL := storetest.FreshPostgresURL(t)
	holdMigrationLockElsewhere(t, dbURL, "replica-migrating")
	taken := freeAddrHeld(t)
	for _, setting := range []string{"STOCKBELL_ADDR", "STOCKBELL_METRICS_ADDR"} {
		code, _, stderr := run(t, testEnv(t, map[string]string{"STOCKBELL_DATABASE_URL": dbURL, setting: taken}), "serve")
		if code != 1 || !strings.Contains(stderr, "error: "+setting+": ") || strings.Contains(stderr, "waiting for the migration lock") {
			t.Errorf("%s taken: exit %d, %q; want exit 1 naming %s before any wait for the lock", setting, code, stderr, setting)
		}
	}
}

// freeAddrHeld returns a loopback address the test holds until it ends.
func freeAddrHeld(t *testing.T) string {
	t.Helper()
	held, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	t.Cleanup(func() { held.Close() })
	return held.Addr().String()
}

// background is a server whose Run goes on in a goroutine of its own.
type background struct {
	m    *Main
	logs *syncBuffer
	done chan struct{}
	err  error
}

// startInBackground runs a server without waiting for Run to return; the
// test's end stops it.
func startInBackground(t *testing.T, getenv func(string) string) *background {
	t.Helper()
	cfg, err := loadConfig(&cliEnv{ctx: context.Background(), getenv: getenv, stdout: io.Discard, stderr: io.Discard})
	noErr(t, err)
	b := &background{logs: &syncBuffer{}, done: make(chan struct{})}
	b.m = NewMain(cfg, newLogger(cfg, b.logs))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer close(b.done)
		b.err = b.m.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		if b.result() == nil { // a failed Run closed what it opened
			b.m.Close()
		}
	})
	return b
}

// result waits for Run to return and returns its error.
func (b *background) result() error {
	<-b.done
	return b.err
}

// waitForLog waits until the server has logged want, failing the test if
// Run returns first.
func (b *background) waitForLog(t *testing.T, want string) {
	t.Helper()
	for !strings.Contains(b.logs.String(), want) {
		select {
		case <-b.done:
			t.Fatalf("run returned (%v) before logging %q:\n%s", b.err, want, b.logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// probeConnections requests url on a new connection each time, until the
// returned function is called, which returns the requests that failed.
func probeConnections(url string) func() []error {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	stop, stopped := make(chan struct{}), make(chan struct{})
	var errs []error
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond): // pacing, so as not to exhaust local ports
			}
			if resp, err := client.Get(url); err != nil {
				errs = append(errs, err)
			} else {
				resp.Body.Close()
			}
		}
	}()
	return sync.OnceValue(func() []error {
		close(stop)
		<-stopped
		return errs
	})
}

// response is an answer with its body read.
type response struct {
	*http.Response
	body string
}

func do(t *testing.T, method, url string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	noErr(t, err)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	noErr(t, err)
	return response{resp, string(body)}
}
