package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
)

// Sweep is a complete catalog sync of one shop, driven through its
// platform's fake, for the checks every sweep of what a listing no longer
// has must pass (CheckEmptyListing, CheckSweepFailure). The shop's catalog
// is synced once, with Kept and Gone notifiable.
type Sweep struct {
	DB     *store.DB
	ShopID int64
	// Source names the sync in the shop's sync log.
	Source string
	// Sync runs the sync as its job does.
	Sync func() error
	// Empty makes the platform list no product; KeepOnly makes it list
	// Kept's product again, and no other.
	Empty, KeepOnly func()
	// Kept and Gone are variants (platform ids) of a product KeepOnly
	// lists and of one it does not.
	Kept, Gone string
}

// CheckEmptyListing: a listing that names no product marks nothing (every
// waiting shopper's variant still notifies) and is a failure in the sync
// log and its banner, counted on one entry when met again, without failing
// the job; the first listing that names a product again sweeps the rest
// and ends the failure.
func CheckEmptyListing(t *testing.T, s Sweep) {
	t.Helper()
	s.Empty()
	for range 2 {
		if err := s.Sync(); err != nil {
			t.Fatalf("a sync of an empty listing failed its job: %v", err)
		}
	}
	s.wantNotifiable(t, map[string]bool{s.Kept: true, s.Gone: true})
	log, banner := SyncLog(t, s.DB, s.ShopID, s.Source)
	if log[0].Kind != stockbell.EventSyncFailed || !strings.Contains(log[0].Reason, "listed no") || failuresOnTop(log) != 2 || banner != log[0].Reason {
		t.Fatalf("after two empty listings the sync log = %+v, banner %q; want two failures saying it listed nothing, on the banner", log, banner)
	}
	s.KeepOnly()
	s.wantRecovered(t)
}

// CheckSweepFailure: a sweep the database fails under is a failure in the
// sync log and its banner, and fails the job (which retries it); the next
// sync sweeps and ends the failure.
func CheckSweepFailure(t *testing.T, s Sweep) {
	t.Helper()
	s.KeepOnly()
	allow := RefuseProductDeletes(t, s.DB)
	if err := s.Sync(); err == nil {
		t.Fatal("a sync whose sweep failed ended its job without an error: it would not be retried")
	}
	s.wantNotifiable(t, map[string]bool{s.Kept: true, s.Gone: true})
	log, banner := SyncLog(t, s.DB, s.ShopID, s.Source)
	if log[0].Kind != stockbell.EventSyncFailed || !strings.Contains(log[0].Reason, "could not be marked deleted") || banner != log[0].Reason {
		t.Fatalf("after a failed sweep the sync log = %+v, banner %q; want a failure saying what could not be marked, on the banner", log, banner)
	}
	allow()
	s.wantRecovered(t)
}

// wantRecovered syncs a listing of Kept alone: Gone is swept, Kept stays,
// and the sync log's latest entry is that sync, with no banner.
func (s Sweep) wantRecovered(t *testing.T) {
	t.Helper()
	if err := s.Sync(); err != nil {
		t.Fatalf("a sync listing a product: %v", err)
	}
	s.wantNotifiable(t, map[string]bool{s.Kept: true, s.Gone: false})
	log, banner := SyncLog(t, s.DB, s.ShopID, s.Source)
	if log[0].Kind != stockbell.EventSyncFinished || log[0].Unpublished < 1 || banner != "" {
		t.Fatalf("after a sync listing a product the sync log = %+v, banner %q; want it finished, sweeping the rest", log, banner)
	}
}

func (s Sweep) wantNotifiable(t *testing.T, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for id := range want {
		v, err := s.DB.FindVariant(context.Background(), s.ShopID, id)
		if err != nil {
			t.Fatalf("variant %s: %v", id, err)
		}
		got[id] = v.Notifiable()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("variants notifying their shoppers = %v, want %v", got, want)
	}
}

// failuresOnTop counts the failures the log's latest entries record
// (an entry without rejections counts the repeats of its failure).
func failuresOnTop(log []SyncEntry) (n int) {
	for _, entry := range log {
		if entry.Kind != stockbell.EventSyncFailed {
			break
		}
		n += max(entry.Failures, 1)
	}
	return n
}
