package feed

import "testing"

// TestHideQueryValues: a feed URL shown to its merchant keeps its query's
// names and hides every value (and a bare part whole), where a token
// travels; user information and a fragment are dropped.
func TestHideQueryValues(t *testing.T) {
	for raw, want := range map[string]string{
		"https://shop.example/feed.json":                       "https://shop.example/feed.json",
		"https://shop.example/export.php?format=xml&token=s3c": "https://shop.example/export.php?format=…&token=…",
		"https://shop.example/feed?s3cret":                     "https://shop.example/feed?…",
		"https://u:p4ss@shop.example/feed?key=&x=1#frag":       "https://shop.example/feed?key=…&x=…",
	} {
		if got := hideQueryValues(raw); got != want {
			t.Errorf("hideQueryValues(%q) = %q, want %q", raw, got, want)
		}
	}
}
