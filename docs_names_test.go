package stockbell_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// claimPages returns README.md and docs/*.md but the benchmarks' page
// (figures with their history, which names tests as they were then), by
// name.
func claimPages(t *testing.T) map[string]string {
	t.Helper()
	names, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, name := range append(names, "README.md") {
		if name == filepath.Join("docs", "BENCHMARKS.md") {
			continue
		}
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		pages[name] = string(text)
	}
	return pages
}

var (
	citedTest = regexp.MustCompile(`\b(?:Test|Benchmark|Fuzz)[A-Z][A-Za-z0-9_]*`)
	// citedFile is a repository path the docs name: under one of the
	// project's folders, or a file of the root package.
	citedFile    = regexp.MustCompile("`((?:server|integrations|oauth|snippet|migrations|docs|bench|netguard|\\.ci)/[A-Za-z0-9_./*-]+|[a-z_]+\\.go)`")
	testFuncDecl = regexp.MustCompile(`(?m)^func ((?:Test|Benchmark|Fuzz)[A-Za-z0-9_]*)\(`)
)

// TestDocsCiteTestsThatExist: each test, benchmark or fuzz target the
// docs name as proof of a claim is declared in a _test.go file, so that a
// test renamed or removed does not leave the claim citing nothing.
func TestDocsCiteTestsThatExist(t *testing.T) {
	declared := declaredTests(t)
	if len(declared) < 100 {
		t.Fatalf("found only %d tests in the repository", len(declared))
	}
	for name, text := range claimPages(t) {
		for _, cited := range citedTest.FindAllString(text, -1) {
			if !declared[cited] {
				t.Errorf("%s names %s, which no _test.go file declares", name, cited)
			}
		}
	}
}

// TestDocsCiteFilesThatExist: each repository path the docs name in code
// spans (`server/web/webhook.go`, `integrations/*/webhook.go`) matches a
// file or folder; a bare Go file name (`wire.go`, named in its package's
// context) is a file of some package.
func TestDocsCiteFilesThatExist(t *testing.T) {
	goFiles := map[string]bool{}
	walkRepository(t, func(path string) { goFiles[filepath.Base(path)] = true })
	for name, text := range claimPages(t) {
		for _, m := range citedFile.FindAllStringSubmatch(text, -1) {
			path := strings.TrimSuffix(m[1], "/")
			if !strings.Contains(path, "/") && goFiles[path] {
				continue
			}
			if matches, err := filepath.Glob(filepath.FromSlash(path)); err != nil || len(matches) == 0 {
				t.Errorf("%s names %s, which does not exist", name, m[1])
			}
		}
	}
}

// TestCitedNamesAreFound checks the patterns above on a page that cites
// a test, a benchmark, a fuzz target and files in each form they take.
func TestCitedNamesAreFound(t *testing.T) {
	page := "`TestA` proves it (`server/web/webhook.go`, `integrations/*/webhook.go`, `stock_order.go`); " +
		"BenchmarkB and FuzzC too. `/api/v1/settings` and `go test ./...` are not files."
	if got := citedTest.FindAllString(page, -1); !slices.Equal(got, []string{"TestA", "BenchmarkB", "FuzzC"}) {
		t.Errorf("tests found: %q", got)
	}
	var files []string
	for _, m := range citedFile.FindAllStringSubmatch(page, -1) {
		files = append(files, m[1])
	}
	if want := []string{"server/web/webhook.go", "integrations/*/webhook.go", "stock_order.go"}; !slices.Equal(files, want) {
		t.Errorf("files found: %q, want %q", files, want)
	}
}

// declaredTests returns the names of the tests, benchmarks and fuzz
// targets declared in the repository's _test.go files.
func declaredTests(t *testing.T) map[string]bool {
	t.Helper()
	declared := map[string]bool{}
	walkRepository(t, func(path string) {
		if !strings.HasSuffix(path, "_test.go") {
			return
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range testFuncDecl.FindAllStringSubmatch(string(src), -1) {
			declared[m[1]] = true
		}
	})
	return declared
}

// walkRepository calls visit with the path of each Go file of the
// repository, leaving out hidden folders and node_modules.
func walkRepository(t *testing.T, visit func(path string)) {
	t.Helper()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			visit(path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
