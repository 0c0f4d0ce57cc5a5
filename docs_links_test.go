package stockbell_test

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestDocsLinksResolve checks every relative link in README.md and docs/*.md:
// the file it names exists and, for a link to a heading (#anchor) of a
// Markdown page, that page has the heading, spelled as GitHub spells anchors.
func TestDocsLinksResolve(t *testing.T) {
	docs, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, name := range append(docs, "README.md") {
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		pages[filepath.ToSlash(name)] = string(text)
	}
	exists := func(name string) bool { _, err := os.Stat(filepath.FromSlash(name)); return err == nil }
	for _, broken := range brokenLinks(pages, exists) {
		t.Error(broken)
	}
}

// TestBrokenLinksFindsEachKind checks the checker: a missing file, a
// missing heading in another page and in the same page are found; links
// that resolve, external links and links inside code are not.
func TestBrokenLinksFindsEachKind(t *testing.T) {
	pages := map[string]string{
		"README.md": "[a](docs/b.md#the-b-page) [ok](docs/b.md#keys-and-values) [gone](docs/c.md)\n" +
			"[self](#set-up) [web](https://example.com/x#y) [bad](docs/b.md#nowhere)\n## Set up\n",
		"docs/b.md": "# The B page\n## Keys and `values`\n[up](../README.md#set-up) [none](#missing)\n" +
			"```\n[code](nothing.md)\n## Not a heading\n```\n[code heading](#not-a-heading)\n",
	}
	exists := func(name string) bool { _, ok := pages[name]; return ok }
	want := []string{
		`README.md: link "docs/b.md#nowhere": docs/b.md has no heading #nowhere`,
		`README.md: link "docs/c.md": docs/c.md does not exist`,
		`docs/b.md: link "#missing": docs/b.md has no heading #missing`,
		`docs/b.md: link "#not-a-heading": docs/b.md has no heading #not-a-heading`,
	}
	if got := brokenLinks(pages, exists); !slices.Equal(got, want) {
		t.Errorf("brokenLinks:\n got %q\nwant %q", got, want)
	}
}

var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// brokenLinks lists, sorted, the relative links of pages (Markdown by
// slash-separated path) whose file does not exist or whose page lacks the
// heading the link's anchor names.
func brokenLinks(pages map[string]string, exists func(string) bool) []string {
	var broken []string
	for name, text := range pages {
		for _, m := range markdownLink.FindAllStringSubmatch(outsideCode(text), -1) {
			if problem := linkProblem(name, m[1], pages, exists); problem != "" {
				broken = append(broken, name+`: link "`+m[1]+`": `+problem)
			}
		}
	}
	slices.Sort(broken)
	return broken
}

// linkProblem says what is wrong with one link of page name, or "".
func linkProblem(name, link string, pages map[string]string, exists func(string) bool) string {
	if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
		return ""
	}
	file, anchor, _ := strings.Cut(link, "#")
	target := name
	if file != "" {
		target = path.Join(path.Dir(name), file)
	}
	if !exists(target) {
		return target + " does not exist"
	}
	if anchor == "" || !strings.HasSuffix(target, ".md") {
		return ""
	}
	if text, ok := pages[target]; ok && !slices.Contains(headingAnchors(text), anchor) {
		return target + " has no heading #" + anchor
	}
	return ""
}

// headingAnchors lists the anchors GitHub gives a page's headings: lower
// case, punctuation dropped, spaces as hyphens, a repeated one numbered.
func headingAnchors(text string) []string {
	var anchors []string
	seen := map[string]int{}
	for _, line := range strings.Split(outsideCode(text), "\n") {
		heading := strings.TrimLeft(line, "#")
		if heading == line || !strings.HasPrefix(heading, " ") {
			continue
		}
		anchor := strings.Map(anchorRune, strings.ToLower(strings.TrimSpace(heading)))
		if n := seen[anchor]; n > 0 {
			anchors = append(anchors, anchor+"-"+strconv.Itoa(n))
		} else {
			anchors = append(anchors, anchor)
		}
		seen[anchor]++
	}
	return anchors
}

func anchorRune(r rune) rune {
	switch {
	case r == ' ':
		return '-'
	case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
		return r
	}
	return -1
}

// outsideCode blanks the lines of fenced code blocks, where neither links
// nor headings are Markdown.
func outsideCode(text string) string {
	lines := strings.Split(text, "\n")
	inCode := false
	for i, line := range lines {
		fence := strings.HasPrefix(strings.TrimSpace(line), "```")
		if inCode || fence {
			lines[i] = ""
		}
		if fence {
			inCode = !inCode
		}
	}
	return strings.Join(lines, "\n")
}
