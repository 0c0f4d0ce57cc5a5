package snippet

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// budget is the most the first-load script (its CSS included) may weigh
// gzipped: what every product page pays before the shopper interacts.
const budget = 4 * 1024

func mustBuild(t testing.TB) *Bundle {
	t.Helper()
	b, err := Build(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuildIsMinifiedSelfContainedAndHashed(t *testing.T) {
	b := mustBuild(t)
	js := string(b.JS)
	if !strings.HasPrefix(js, "(()=>{") {
		t.Fatalf("bundle is not a minified IIFE: %.40q", js)
	}
	for _, want := range []string{"/api/storefront/v1/subscriptions", "attachShadow", ":host{", "text/plain", `"stockbell:"`, `"ready"`} {
		if !strings.Contains(js, want) {
			t.Errorf("bundle lacks %q", want)
		}
	}
	if strings.Contains(js, "__CSS__") || strings.Contains(js, "import ") {
		t.Error("bundle still references unbundled sources")
	}
	sum := sha256.Sum256(b.JS)
	if b.Hash != hex.EncodeToString(sum[:8]) {
		t.Errorf("hash %s is not the content hash", b.Hash)
	}
	again := mustBuild(t)
	if again.Hash != b.Hash {
		t.Errorf("build is not reproducible: %s then %s", b.Hash, again.Hash)
	}
	if b.Path() != "/snippet/"+b.Hash+".js" {
		t.Errorf("path %s", b.Path())
	}
}

func TestDebugBuildIsReadable(t *testing.T) {
	b, err := Build(Options{Debug: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b.JS), "function refresh()") {
		t.Error("debug bundle is minified")
	}
}

func TestCompressedFormsDecodeToTheBundle(t *testing.T) {
	b := mustBuild(t)
	zr, err := gzip.NewReader(bytes.NewReader(b.Compressed("gzip")))
	if err != nil {
		t.Fatal(err)
	}
	gz, _ := io.ReadAll(zr)
	br, _ := io.ReadAll(brotli.NewReader(bytes.NewReader(b.Compressed("br"))))
	if !bytes.Equal(gz, b.JS) || !bytes.Equal(br, b.JS) {
		t.Fatal("a compressed form does not decode to the bundle")
	}
	if b.Compressed("deflate") != nil {
		t.Error("unexpected coding")
	}
}

func TestBundleFitsTheSizeBudget(t *testing.T) {
	b := mustBuild(t)
	gz, br := len(b.Compressed("gzip")), len(b.Compressed("br"))
	t.Logf("snippet: %d bytes minified, %d gzip, %d brotli (budget %d gzip)", len(b.JS), gz, br, budget)
	for _, f := range b.Lazy {
		t.Logf("lazy %-5s %5d bytes minified, %5d gzip, %5d brotli", f.Name, len(f.JS), len(f.Compressed("gzip")), len(f.Compressed("br")))
	}
	if gz > budget {
		t.Fatalf("first-load script is %d bytes gzipped, over the %d byte budget", gz, budget)
	}
}

func BenchmarkBuild(b *testing.B) {
	for b.Loop() {
		if _, err := Build(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
