package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// SnippetHelpers are JavaScript functions that test expressions use to
// reach into the snippet's shadow roots: button(), form(), field(name),
// dialog(), status(), active(), describe(el), shown(el), events(name).
// events reads window.stockbellEvents, which a test page fills by listening
// to the stockbell:* events.
const SnippetHelpers = `
const host = () => document.querySelector("stockbell-button");
const button = () => host() && host().shadowRoot.querySelector("button");
const form = () => { const d = document.querySelector("stockbell-dialog"); return d && d.shadowRoot; };
const field = (name) => form().querySelector("[name=" + name + "]");
const dialog = () => form() && form().querySelector("dialog");
const status = () => form().querySelector("[role=status]");
const active = () => { let a = document.activeElement; while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement; return a; };
const describe = (el) => el ? (el.getAttribute("name") || el.className || el.id || el.tagName) : "none";
const shown = (el) => !!el && el.checkVisibility({ visibilityProperty: true });
const events = (name) => window.stockbellEvents.filter((e) => e.name === name);
`

// JS wraps an expression so that it can use SnippetHelpers.
func JS(expr string) string { return "(() => {" + SnippetHelpers + "return (" + expr + ");})()" }

// Eval evaluates expr (with SnippetHelpers) in the page and returns its value.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](JS(expr), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// WaitFor polls expr (with SnippetHelpers) until it is truthy, failing the
// test after 10 s.
func WaitFor(t testing.TB, ctx context.Context, expr string) {
	t.Helper()
	WaitWithin(t, ctx, expr, 10*time.Second)
}

// WaitWithin is WaitFor failing the test after limit.
func WaitWithin(t testing.TB, ctx context.Context, expr string, limit time.Duration) {
	t.Helper()
	if err := Poll(ctx, JS(expr), limit, 0); err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// ErrPollTimeout is Poll's error when the expression stayed falsy.
var ErrPollTimeout = errors.New("still false when the time was up")

// Poll evaluates expr (awaiting a promise it returns) in the page's current
// document until it is truthy, on every animation frame, or every interval
// when that is positive; after limit it returns ErrPollTimeout. An
// exception in expr, or a navigation while it polls, ends the poll with
// that error.
//
// chromedp.Poll is not used: it runs in the JavaScript context that
// chromedp last recorded for the frame, which it learns from the browser's
// events apart from the actions that wait on them. Right after a
// navigation that can still be the document before it ("Cannot find
// context with specified id"), and it can be another world of the page.
// Runtime.evaluate without a context is always the page's own.
func Poll(ctx context.Context, expr string, limit, interval time.Duration) error {
	script := fmt.Sprintf(`(async () => {
	const until = performance.now() + %d, interval = %d;
	for (;;) {
		if (await (%s)) return true;
		if (performance.now() >= until) return false;
		await new Promise((next) => interval > 0 ? setTimeout(next, interval) : requestAnimationFrame(next));
	}
})()`, limit.Milliseconds(), interval.Milliseconds(), expr)
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script, chromedp.EvalAwaitPromise))
	if err == nil && !ok {
		err = fmt.Errorf("%w (%s)", ErrPollTimeout, limit)
	}
	return err
}

// PollThroughNavigation is Poll that carries on through navigations: a
// navigation ends one poll (the document it looked at is going away), and
// the next looks at the document the page has then, until expr is truthy
// in one of them or limit has passed. It returns the last poll's error.
func PollThroughNavigation(ctx context.Context, expr string, limit time.Duration) error {
	err := ErrPollTimeout
	for until := time.Now().Add(limit); time.Now().Before(until) && ctx.Err() == nil; {
		if err = Poll(ctx, expr, min(time.Second, time.Until(until)), 0); err == nil {
			return nil
		}
	}
	return err
}

// Do runs browser actions, failing the test on error.
func Do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// Open loads a page and waits for the snippet's stockbell:ready event.
func Open(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	Do(t, ctx, chromedp.Navigate(url))
	WaitFor(t, ctx, `window.stockbellEvents && events("ready").length == 1`)
}

// Click moves the real mouse to the middle of the element and clicks. The
// element is scrolled into sight at once ("instant"): a page that scrolls
// smoothly (the admin's scroll-behavior) would otherwise be measured
// mid-scroll, and the click would land where the element is not yet.
func Click(t testing.TB, ctx context.Context, element string) {
	t.Helper()
	pt := Eval[[2]float64](t, ctx, `(() => { const el = `+element+`; el.scrollIntoView({block: "center", behavior: "instant"});
		const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	Do(t, ctx, chromedp.MouseClickXY(pt[0], pt[1]))
}

// Focused describes the deep focused element (its name, class or id).
func Focused(t testing.TB, ctx context.Context) string {
	t.Helper()
	return Eval[string](t, ctx, `describe(active())`)
}

// WaitForFocus waits until the deep focused element is want (as Focused
// describes it), failing after 10 s with where focus is. Focus a handler
// moves is there only once the handler ran: a dialog closed by Escape is
// no longer open before its close event, which gives focus back, fires.
func WaitForFocus(t testing.TB, ctx context.Context, want string) {
	t.Helper()
	if err := Poll(ctx, JS(`describe(active()) == `+strconv.Quote(want)), 10*time.Second, 0); err != nil {
		t.Fatalf("focus on %q, want %q: %v", Focused(t, ctx), want, err)
	}
}

// TabTo presses Tab until the deep focused element is the wanted one (as
// Focused describes it), failing after 12 presses.
func TabTo(t testing.TB, ctx context.Context, want string) {
	t.Helper()
	for range 12 {
		if Focused(t, ctx) == want {
			return
		}
		Do(t, ctx, chromedp.KeyEvent(kb.Tab))
	}
	t.Fatalf("Tab never reached %q (focus on %q)", want, Focused(t, ctx))
}

// AXNode is what the browser tells assistive technology about one element
// (shadow roots included): its role, accessible name and description, and
// its other properties (focused, required, invalid, hasPopup, modal, live…)
// as their JSON values ("true", "\"dialog\"").
type AXNode struct {
	Role, Name, Description string
	Props                   map[string]string
}

// AXNodes returns the page's accessibility tree, ignored nodes left out,
// in page order.
func AXNodes(t testing.TB, ctx context.Context) []AXNode {
	t.Helper()
	var nodes []AXNode
	Do(t, ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tgt, accessibility.Enable, cdp.Empty{}); err != nil {
			return err
		}
		tree, err := cdp.Call(ctx, tgt, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
		if err != nil {
			return err
		}
		for _, n := range tree.Nodes {
			if !n.Ignored {
				nodes = append(nodes, axNode(n))
			}
		}
		return nil
	}))
	return nodes
}

func axNode(n *accessibility.Node) AXNode {
	out := AXNode{Role: axText(n.Role), Name: axText(n.Name), Description: axText(n.Description), Props: map[string]string{}}
	for _, p := range n.Properties {
		if p.Value != nil {
			out.Props[string(p.Name)] = string(p.Value.Value)
		}
	}
	return out
}

// axText is a string value's text ("" for none, or a value not a string).
func axText(v *accessibility.Value) string {
	var s string
	if v != nil {
		_ = json.Unmarshal(v.Value, &s)
	}
	return s
}

// ButtonNames lists the accessible names of the page's buttons (shadow
// roots included) in page order, as the browser computes them for
// assistive technology: what a screen-reader user hears for each.
func ButtonNames(t testing.TB, ctx context.Context) []string {
	t.Helper()
	var names []string
	for _, n := range AXNodes(t, ctx) {
		if n.Role == "button" {
			names = append(names, n.Name)
		}
	}
	return names
}

// SideGaps returns the room, in CSS pixels, between the element the
// expression finds and the left and right edges of the viewport.
func SideGaps(t testing.TB, ctx context.Context, element string) (left, right float64) {
	t.Helper()
	gaps := Eval[[2]float64](t, ctx, `(() => { const r = (`+element+`).getBoundingClientRect();
		return [r.left, document.documentElement.clientWidth - r.right]; })()`)
	return gaps[0], gaps[1]
}
