package web

import (
	"net/url"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
)

// TestFlowVersionIsOneEncoding: the Flow page's flow_version and the API's
// ETag name a version the same way, and the form's version reads back as
// the change time it was written from (a version that does not read is
// the never-stored flow's, which a save then refuses as changed).
func TestFlowVersionIsOneEncoding(t *testing.T) {
	saved := &stockbell.Flow{UpdatedAt: time.Date(2026, 3, 4, 5, 6, 7, 1500, time.UTC)}
	for _, updated := range []time.Time{{}, saved.UpdatedAt} {
		version := flowVersion(updated)
		if etag := flowETag(updated); etag != `"`+version+`"` {
			t.Errorf("changed at %v: ETag %s, form version %q: want the ETag to be the version quoted", updated, etag, version)
		}
		if seen := seenVersion(url.Values{"flow_version": {version}}, saved); !seen.Equal(updated) {
			t.Errorf("form version %q read as %v, want %v", version, seen, updated)
		}
	}
	if seen := seenVersion(url.Values{"flow_version": {"2026-03-04T05:06:07Z"}}, saved); !seen.IsZero() {
		t.Errorf("an unreadable form version read as %v, want the zero time", seen)
	}
	if seen := seenVersion(url.Values{}, saved); !seen.Equal(saved.UpdatedAt) {
		t.Errorf("a form without a version read as %v, want the saved flow's %v", seen, saved.UpdatedAt)
	}
}
