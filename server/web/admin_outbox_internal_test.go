package web

import "testing"

// TestLinksInNewTabsKeepsTheDocumentsMode: the <base> that opens an
// email's links in a tab of their own goes at the start of its head, or
// after its doctype when it has none (before it, the element would put the
// page in quirks mode), or first in a fragment.
func TestLinksInNewTabsKeepsTheDocumentsMode(t *testing.T) {
	const base = `<base target="_blank">`
	for html, want := range map[string]string{
		`<!doctype html><html><head lang="en"><title>x</title></head><body><header>h</header></body></html>`: `<!doctype html><html><head lang="en">` + base + `<title>x</title></head><body><header>h</header></body></html>`,
		`<!DOCTYPE html><HEAD></HEAD>`:                             `<!DOCTYPE html><HEAD>` + base + `</HEAD>`,
		"\n<!doctype html><body><header>h</header><p>x</p></body>": "\n<!doctype html>" + base + "<body><header>h</header><p>x</p></body>",
		`<p>Hello <a href="https://shop.example.com">x</a></p>`:    base + `<p>Hello <a href="https://shop.example.com">x</a></p>`,
	} {
		if got := linksInNewTabs(html); got != want {
			t.Errorf("linksInNewTabs(%q) = %q, want %q", html, got, want)
		}
	}
}
