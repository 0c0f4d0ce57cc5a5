package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/store"
	"golang.org/x/net/html"
)

// postForm is one way to submit an HTML form of a page: its action, the
// values its fields hold as served (the CSRF token left out) and the
// submit button pressed.
type postForm struct {
	Page   string // the page the form is on
	Action string // path and query the form posts to
	Values url.Values
	// Unshown marks a post to a route no crawled page has a form for.
	Unshown bool
}

func (f postForm) String() string {
	button := ""
	if v := f.Values.Get("action"); v != "" {
		button = " (action=" + v + ")"
	}
	return "POST " + f.Action + button + " from " + f.Page
}

// sameAs reports whether both post the same button to the same action
// (the sign-out button of every page, the restock button of every row).
func (f postForm) sameAs(other postForm) bool {
	return f.Action == other.Action && f.Values.Get("action") == other.Values.Get("action")
}

// crawledPage is an HTML page of the crawl: its same-site links and the
// ways to submit its POST forms.
type crawledPage struct {
	links []string
	forms []postForm
}

// crawlForms visits the pages reachable from start by links whose path
// starts with one of prefixes (skipping those in skip), with the client,
// and returns every POST form found on them, one per submit button.
func crawlForms(t *testing.T, client *http.Client, base string, start, prefixes, skip []string) []postForm {
	t.Helper()
	seen := map[string]bool{}
	queue := slices.Clone(start)
	var forms []postForm
	for len(queue) > 0 && len(seen) < 60 {
		target := queue[0]
		queue = queue[1:]
		u, _ := url.Parse(target)
		if seen[u.Path] {
			continue
		}
		seen[u.Path] = true
		page := fetchPage(t, client, base, target)
		for _, f := range page.forms {
			if !slices.ContainsFunc(forms, f.sameAs) {
				forms = append(forms, f)
			}
		}
		for _, link := range page.links {
			if followable(link, prefixes, skip) {
				queue = append(queue, link)
			}
		}
	}
	return forms
}

func followable(link string, prefixes, skip []string) bool {
	u, err := url.Parse(link)
	if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || slices.Contains(skip, u.Path) {
		return false
	}
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(u.Path, p) })
}

// fetchPage gets an HTML page and parses its links and POST forms.
func fetchPage(t *testing.T, client *http.Client, base, target string) crawledPage {
	t.Helper()
	resp, err := client.Get(base + target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		io.Copy(io.Discard, resp.Body)
		return crawledPage{}
	}
	doc, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	var page crawledPage
	walkHTML(doc, func(n *html.Node) bool {
		switch n.Data {
		case "a":
			if href := attr(n, "href"); href != "" {
				page.links = append(page.links, href)
			}
		case "form":
			if strings.EqualFold(attr(n, "method"), "post") {
				page.forms = append(page.forms, formSubmissions(n, target)...)
			}
			return false
		}
		return true
	})
	return page
}

// formSubmissions returns the form's values as a browser would post them,
// once per named submit button (or once when no button is named); in a
// form where a button posts elsewhere (formaction), once per button.
func formSubmissions(form *html.Node, page string) []postForm {
	action := attr(form, "action")
	if action == "" {
		action = page
	}
	values := url.Values{}
	var buttons []submitButton
	walkHTML(form, func(n *html.Node) bool {
		name := attr(n, "name")
		switch {
		case n.Data == "button" || (n.Data == "input" && attr(n, "type") == "submit"):
			if attr(n, "type") != "button" {
				buttons = append(buttons, submitButton{name, attr(n, "value"), attr(n, "formaction")})
			}
		case name == "" || name == "csrf_token":
		case n.Data == "input":
			if typ := attr(n, "type"); (typ != "checkbox" && typ != "radio") || hasAttr(n, "checked") {
				values.Add(name, changedValue(n))
			}
		case n.Data == "textarea":
			values.Add(name, textOf(n))
		case n.Data == "select":
			values.Add(name, selectedOption(n))
		}
		return true
	})
	elsewhere := slices.ContainsFunc(buttons, func(b submitButton) bool { return b.action != "" })
	buttons = slices.DeleteFunc(buttons, func(b submitButton) bool { return b.name == "" && !elsewhere })
	if len(buttons) == 0 {
		return []postForm{{Page: page, Action: action, Values: values}}
	}
	var out []postForm
	for _, b := range buttons {
		v := cloneValues(values)
		if b.name != "" {
			v.Set(b.name, b.value)
		}
		to := action
		if b.action != "" {
			to = b.action
		}
		out = append(out, postForm{Page: page, Action: to, Values: v})
	}
	return out
}

// submitButton is a form's submit button: its name and value, and where
// it posts when not to the form's action (formaction).
type submitButton struct{ name, value, action string }

// changedValue is an input's value, one more for a number below its
// maximum, so that posting the form as found would change something.
func changedValue(input *html.Node) string {
	value := attr(input, "value")
	n, err := strconv.Atoi(value)
	if attr(input, "type") != "number" || err != nil {
		return value
	}
	if max, err := strconv.Atoi(attr(input, "max")); err == nil && n >= max {
		return value
	}
	return strconv.Itoa(n + 1)
}

func selectedOption(sel *html.Node) string {
	first, chosen := "", ""
	walkHTML(sel, func(n *html.Node) bool {
		if n.Data == "option" {
			v := attr(n, "value")
			if !hasAttr(n, "value") {
				v = textOf(n)
			}
			if first == "" {
				first = v
			}
			if hasAttr(n, "selected") && chosen == "" {
				chosen = v
			}
		}
		return true
	})
	if chosen != "" {
		return chosen
	}
	return first
}

func walkHTML(n *html.Node, visit func(*html.Node) bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && !visit(c) {
			continue
		}
		walkHTML(c, visit)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// databaseFingerprint hashes every row of every table but the job queue's
// own (River's tables change as its leader and producers run) and the
// migrations', so that a test can tell that a request changed nothing.
func databaseFingerprint(t *testing.T, db *store.DB) string {
	t.Helper()
	query := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if db.Dialect == store.Postgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	var tables []string
	if err := db.DB.Select(&tables, query); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, table := range tables {
		if strings.HasPrefix(table, "river_") || strings.HasPrefix(table, "goose_") || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		rows, err := db.DB.Queryx(`SELECT * FROM ` + table + ` ORDER BY 1`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for rows.Next() {
			row, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s %v\n", table, row)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
