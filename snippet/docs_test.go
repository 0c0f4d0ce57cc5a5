package snippet

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// A theme developer has docs/snippet.md in hand: every text key, option,
// custom property and event it names must be one the snippet reads or
// dispatches, and every one the snippet has must be named there.

// readFile returns a file of the repository, from the snippet package's folder.
func readFile(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// scriptSources returns the snippet's TypeScript, every file of src/ but the languages'.
func scriptSources(t *testing.T) string {
	t.Helper()
	files, err := os.ReadDir("src")
	if err != nil {
		t.Fatal(err)
	}
	var code string
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".ts") {
			code += readFile(t, "src/"+f.Name())
		}
	}
	return code
}

// between returns the text of s from the first start to the next end after it.
func between(t *testing.T, s, start, end string) string {
	t.Helper()
	_, after, ok := strings.Cut(s, start)
	if !ok {
		t.Fatalf("docs/snippet.md no longer has %q", start)
	}
	part, _, ok := strings.Cut(after, end)
	if !ok {
		t.Fatalf("docs/snippet.md has no %q after %q", end, start)
	}
	return part
}

// matches returns the first group of every match of re in s, sorted and without repeats.
func matches(re, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// kebabCase writes a camel-case key as a data attribute spells it (doneSms → done-sms).
func kebabCase(key string) string {
	return regexp.MustCompile(`[A-Z]`).ReplaceAllStringFunc(key, func(c string) string { return "-" + strings.ToLower(c) })
}

func wantSame(t *testing.T, what string, documented, code []string) {
	t.Helper()
	if len(documented) == 0 || len(code) == 0 {
		t.Fatalf("read no %s: %d in docs/snippet.md, %d in the snippet", what, len(documented), len(code))
	}
	for _, name := range documented {
		if !slices.Contains(code, name) {
			t.Errorf("docs/snippet.md names the %s %q, which the snippet does not have", what, name)
		}
	}
	for _, name := range code {
		if !slices.Contains(documented, name) {
			t.Errorf("the snippet has the %s %q, which docs/snippet.md does not name", what, name)
		}
	}
}

func TestDocumentedTextKeysAreTheSnippets(t *testing.T) {
	doc := between(t, readFile(t, "../docs/snippet.md"), "Override any text:", "Example:")
	var code []string
	for _, key := range matches(`"(\w+)"`, between(t, readFile(t, "src/i18n.ts"), "const keys = [", "]")) {
		code = append(code, kebabCase(key))
	}
	slices.Sort(code)
	wantSame(t, "text key", matches("`([a-z-]+)`", doc), code)
}

func TestDocumentedOptionsAreTheSnippets(t *testing.T) {
	table := between(t, readFile(t, "../docs/snippet.md"), "| Option | Data attribute |", "\n\n")
	options := matches("(?m)^\\| `(\\w+)` \\|", table)
	code := matches(`(?m)^  (\w+)\??: `, between(t, readFile(t, "src/config.ts"), "export interface Options {", "\n}"))
	wantSame(t, "option", options, code)
	// A plain option's data attribute is its name; strings and colors take a key.
	for _, row := range regexp.MustCompile("(?m)^\\| `(\\w+)` \\| `(data-[^`]+)`").FindAllStringSubmatch(table, -1) {
		want := "data-" + kebabCase(row[1])
		switch row[1] {
		case "strings":
			want = "data-text-KEY"
		case "colors":
			want = "data-color-NAME"
		}
		if !strings.HasPrefix(row[2], want) {
			t.Errorf("docs/snippet.md gives %s the attribute %s; the snippet reads %s", row[1], row[2], want)
		}
	}
}

func TestDocumentedCustomPropertiesAreTheSnippets(t *testing.T) {
	table := between(t, readFile(t, "../docs/snippet.md"), "| Property | Default | Used for |", "\n\n")
	css := readFile(t, "src/base.css") + readFile(t, "src/form.css")
	wantSame(t, "custom property", matches("`(--stockbell-[a-z-]+)`", table), matches(`var\((--stockbell-[a-z-]+)`, css))
}

func TestDocumentedEventsAreTheSnippets(t *testing.T) {
	table := between(t, readFile(t, "../docs/snippet.md"), "| Event (on `document`) | `detail` |", "\n\n")
	code := scriptSources(t)
	var emitted []string
	for _, name := range matches(`emit\("(\w+)"`, code) {
		emitted = append(emitted, "stockbell:"+name)
	}
	wantSame(t, "event", matches("(?m)^\\| `(stockbell:\\w+)`", table), emitted)
}

// Every data-stockbell-* attribute the page names is one the snippet reads.
func TestDocumentedMarkupAttributesAreTheSnippets(t *testing.T) {
	code := scriptSources(t)
	wantSame(t, "attribute", matches(`(data-stockbell-[a-z]+)`, readFile(t, "../docs/snippet.md")), matches(`(data-stockbell-[a-z]+)`, code))
}
