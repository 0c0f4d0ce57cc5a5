package web

import (
	"net/url"
	"testing"
	"time"
)

// TestVersionIsOneEncoding: an admin form's version field (flow_version,
// settings_version) and the API's ETag name a version the same way, and
// the form's version reads back as the change time it was written from (a
// version that does not read is the never-stored one's, which a save then
// refuses as changed).
func TestVersionIsOneEncoding(t *testing.T) {
	saved := time.Date(2026, 3, 4, 5, 6, 7, 1500, time.UTC)
	for _, field := range []string{"flow_version", "settings_version"} {
		for _, updated := range []time.Time{{}, saved} {
			version := changeVersion(updated)
			if etag := versionETag(updated); etag != `"`+version+`"` {
				t.Errorf("changed at %v: ETag %s, form version %q: want the ETag to be the version quoted", updated, etag, version)
			}
			if seen := seenVersion(url.Values{field: {version}}, field, saved); !seen.Equal(updated) {
				t.Errorf("form %s %q read as %v, want %v", field, version, seen, updated)
			}
		}
		if seen := seenVersion(url.Values{field: {"2026-03-04T05:06:07Z"}}, field, saved); !seen.IsZero() {
			t.Errorf("an unreadable %s read as %v, want the zero time", field, seen)
		}
		if seen := seenVersion(url.Values{}, field, saved); !seen.Equal(saved) {
			t.Errorf("a form without %s read as %v, want the saved change time %v", field, seen, saved)
		}
	}
}
