package jobs

import (
	"slices"
	"testing"
)

// TestRunningJobsNamesKindsWithTheirCount: the kinds a cut-off shutdown
// names are sorted, each once, with how many ran when more than one, and
// a job that finished is no longer named.
func TestRunningJobsNamesKindsWithTheirCount(t *testing.T) {
	r := &runningJobs{byKind: map[string]int{}}
	doneSend := r.start("send_message")
	r.start("send_message")
	doneSync := r.start("feed_sync")
	if got, want := r.kinds(), []string{"feed_sync", "send_message ×2"}; !slices.Equal(got, want) {
		t.Errorf("running kinds = %q, want %q", got, want)
	}
	doneSend()
	doneSync()
	if got, want := r.kinds(), []string{"send_message"}; !slices.Equal(got, want) {
		t.Errorf("after two finished, running kinds = %q, want %q", got, want)
	}
	if got := (*Workers)(nil).runningJobs().kinds(); got != nil {
		t.Errorf("an insert-only queue names running kinds %q", got)
	}
}
