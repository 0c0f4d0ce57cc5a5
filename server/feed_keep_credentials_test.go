package main

import (
	"strings"
	"testing"

	"github.com/stockbell/stockbell/integrations/feed/feedtest"
)

// TestShopAddKeepsAPrivateFeedsCredentials: an operator changing a
// private feed's interval with shop add again gives --keep-credentials
// rather than the credentials, which the feed then still sends (the
// host refuses a read without them); the flag given with credentials is a
// usage error naming both, and without it the documented default holds:
// a flag left out is no credentials.
func TestShopAddKeepsAPrivateFeedsCredentials(t *testing.T) {
	host := feedtest.NewServer()
	t.Cleanup(host.Close)
	host.Set("/private.json", feedtest.Feed{Body: feedtest.Document("json", feedtest.Items(3, 0)), Header: "X-Feed-Key", Value: "s3cret"})
	getenv := testEnv(t, nil)
	if code, _, stderr := run(t, getenv, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	add := func(extra ...string) (int, string) {
		t.Helper()
		args := append([]string{"shop", "add", "--platform", "feed", "--domain", feedDomain, "--feed-url", host.URL("/private.json")}, extra...)
		code, _, stderr := run(t, getenv, args...)
		return code, stderr
	}
	sync := func() (int, string, string) {
		t.Helper()
		return run(t, getenv, "feed", "sync", "--shop", feedDomain)
	}
	if code, stderr := add("--feed-header", "X-Feed-Key: s3cret"); code != 0 {
		t.Fatalf("shop add with the header: exit %d, %q", code, stderr)
	}
	if code, stderr := add("--interval", "30m", "--keep-credentials"); code != 0 {
		t.Fatalf("shop add --keep-credentials: exit %d, %q", code, stderr)
	}
	if code, stdout, stderr := sync(); code != 0 || !strings.Contains(stdout, "3 items") {
		t.Fatalf("feed sync after --keep-credentials: exit %d, %q %q (the header was not kept)", code, stdout, stderr)
	}
	if code, stderr := add("--keep-credentials", "--feed-header", "X-Feed-Key: other"); code != 2 ||
		!strings.Contains(stderr, "--keep-credentials") || !strings.Contains(stderr, "--feed-header") {
		t.Fatalf("--keep-credentials with --feed-header: exit %d, %q, want a usage error naming both", code, stderr)
	}
	if code, stderr := add("--interval", "30m"); code != 0 {
		t.Fatalf("shop add without credentials: exit %d, %q", code, stderr)
	}
	if code, _, stderr := sync(); code == 0 || !strings.Contains(stderr, "401") {
		t.Fatalf("feed sync after shop add without credential flags: exit %d, %q, want the host's 401 (no credentials)", code, stderr)
	}
}
