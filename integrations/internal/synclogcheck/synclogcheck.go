// Package synclogcheck holds the checks the platform integrations' tests
// share on a job's sync log: that every failed run is recorded once,
// counted, named and shown on the admin's banner until a run succeeds, and
// that a run cut short by the process stopping records nothing. It imports
// no integration package; each test passes its own job run and fake.
package synclogcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// Log is the part of the store the checks read: the shop's sync log and
// the failing sources the admin's banner shows.
type Log interface {
	FindSyncLog(ctx context.Context, filter stockbell.SyncLogFilter) ([]*stockbell.Event, int, error)
	FindFailingSyncs(ctx context.Context, shopID int64) ([]*stockbell.Event, error)
}

// Job is one shop's job as a sync log source: What names it in failure
// messages ("catalog sync", "stock check"), Run runs it once.
type Job struct {
	DB     Log
	ShopID int64
	Source string
	What   string
	Run    func(ctx context.Context) error
}

// Entry is one entry of a source's sync log.
type Entry struct {
	Kind     stockbell.EventKind
	Source   string `json:"source"`
	Reason   string `json:"reason"`
	Failures int    `json:"failures"`
}

// String reads "failed N" for a failure met N times, the kind otherwise.
func (e Entry) String() string {
	if e.Kind == stockbell.EventSyncFailed {
		return fmt.Sprintf("failed %d", max(e.Failures, 1))
	}
	return string(e.Kind)
}

// Entries returns the job's source's sync log entries, newest first.
func (j Job) Entries(t testing.TB) []Entry {
	t.Helper()
	events, _, err := j.DB.FindSyncLog(context.Background(), stockbell.SyncLogFilter{ShopID: j.ShopID})
	if err != nil {
		t.Fatal(err)
	}
	var out []Entry
	for _, ev := range events {
		var entry Entry
		if err := json.Unmarshal([]byte(ev.Detail), &entry); err != nil {
			t.Fatal(err)
		}
		if entry.Kind = ev.Kind; entry.Source == j.Source {
			out = append(out, entry)
		}
	}
	return out
}

// WantFailuresLogged runs the job twice, each run expected to fail (to be
// retried), and wants one failure met twice on top of the source's log,
// its reason naming each of names, and the source alone on the admin's
// banner with that reason. It then calls mend, runs the job once more,
// expected to succeed, and wants the success recorded above the failure
// and nothing left on the banner.
func WantFailuresLogged(t testing.TB, j Job, mend func(), names []string) {
	t.Helper()
	before := j.Entries(t)
	for range 2 {
		if err := j.Run(context.Background()); err == nil {
			t.Fatalf("a failed %s ended its job without an error: it is not retried", j.What)
		}
	}
	log := j.Entries(t)
	if got, want := fmt.Sprint(log), sprintAbove([]string{"failed 2"}, before); got != want {
		t.Fatalf("after two failed runs of the %s the sync log = %s, want one failure met twice: %s", j.What, got, want)
	}
	for _, want := range names {
		if !strings.Contains(log[0].Reason, want) {
			t.Errorf("the reason %q does not name %q", log[0].Reason, want)
		}
	}
	j.wantOnBanner(t, log[0].Reason)
	mend()
	if err := j.Run(context.Background()); err != nil {
		t.Fatalf("the %s after the mend: %v", j.What, err)
	}
	if got, want := fmt.Sprint(j.Entries(t)), sprintAbove([]string{"sync_finished", "failed 2"}, before); got != want {
		t.Fatalf("after the %s that succeeded the sync log = %s, want it above the failure: %s", j.What, got, want)
	}
	j.wantOnBanner(t, "")
}

// WantStoppedNotLogged runs the job with a context that onAnswer's stop
// cancels (onAnswer installs it on the job's fake, to be called as the
// platform answers), wants the run to fail and the source's log unchanged:
// a run cut short by the process stopping did not fail.
func WantStoppedNotLogged(t testing.TB, j Job, onAnswer func(stop func())) {
	t.Helper()
	before := fmt.Sprint(j.Entries(t))
	stopping, stop := context.WithCancel(context.Background())
	defer stop()
	onAnswer(stop)
	if err := j.Run(stopping); err == nil {
		t.Fatalf("the %s cut short succeeded", j.What)
	}
	if log := fmt.Sprint(j.Entries(t)); log != before {
		t.Fatalf("a %s cut short by the process stopping logged %s (before it: %s)", j.What, log, before)
	}
}

// wantOnBanner wants the job's source the only failing one on the admin's
// banner, with reason; an empty reason wants no failing source at all.
func (j Job) wantOnBanner(t testing.TB, reason string) {
	t.Helper()
	failing, err := j.DB.FindFailingSyncs(context.Background(), j.ShopID)
	if err != nil {
		t.Fatal(err)
	}
	var got []Entry
	for _, ev := range failing {
		var entry Entry
		if err := json.Unmarshal([]byte(ev.Detail), &entry); err != nil {
			t.Fatal(err)
		}
		got = append(got, entry)
	}
	if reason == "" && len(got) != 0 {
		t.Fatalf("failing sources (the admin's banner) after the recovery: %+v", got)
	}
	if reason != "" && (len(got) != 1 || got[0].Source != j.Source || got[0].Reason != reason) {
		t.Fatalf("failing sources (the admin's banner) = %+v, want the %s (%s) with %q", got, j.What, j.Source, reason)
	}
}

// sprintAbove prints newer above older, as fmt.Sprint prints a log.
func sprintAbove(newer []string, older []Entry) string {
	all := newer
	for _, e := range older {
		all = append(all, e.String())
	}
	return fmt.Sprint(all)
}
