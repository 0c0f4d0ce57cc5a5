package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// readyPage serves a page that fires the snippet's ready event as Open
// expects, and names its path in the page's JavaScript.
func readyPage(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><link rel="icon" href="data:,"><script>window.page = %q;
window.stockbellEvents = [{name: "ready"}];</script><h1>%s</h1>`, r.URL.Path, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestWaitForLooksAtThePageItsOwnScriptsSee: WaitFor evaluates in the
// page's current document, where its scripts run, whatever other
// JavaScript contexts the browser reports for the frame (another world,
// or the document before a navigation, whose report chromedp may read
// late on a loaded machine).
func TestWaitForLooksAtThePageItsOwnScriptsSee(t *testing.T) {
	srv := readyPage(t)
	ctx := New(t)
	Open(t, ctx, srv.URL+"/first")
	// An isolated world is the latest context the browser reports for the
	// frame: it sees the DOM but none of the page's globals.
	Do(t, ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		tree, err := cdp.Call(ctx, tgt, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, tgt, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: tree.FrameTree.Frame.ID, WorldName: "elsewhere"})
		return err
	}))
	// One more round trip, so that chromedp has read that report too.
	Eval[bool](t, ctx, `true`)
	WaitFor(t, ctx, `window.page == "/first"`)
}

// TestOpenWaitsInEachNewPage: WaitFor straight after a navigation looks at
// the new page, page after page.
func TestOpenWaitsInEachNewPage(t *testing.T) {
	srv := readyPage(t)
	ctx := New(t)
	for i := range 30 {
		path := fmt.Sprintf("/p%d", i)
		Open(t, ctx, srv.URL+path)
		WaitFor(t, ctx, fmt.Sprintf(`window.page == %q && document.querySelector("h1").textContent == %q`, path, path))
	}
}

// TestPollSaysWhyItEnded: a predicate still false at the limit times out;
// one that throws fails at once with its exception; a promise is awaited.
func TestPollSaysWhyItEnded(t *testing.T) {
	srv := readyPage(t)
	ctx := New(t)
	Open(t, ctx, srv.URL+"/poll")
	if err := Poll(ctx, `document.title == "never"`, 300*time.Millisecond, 0); !errors.Is(err, ErrPollTimeout) {
		t.Errorf("false predicate: %v, want ErrPollTimeout", err)
	}
	if err := Poll(ctx, `window.nothing.here`, 30*time.Second, 0); err == nil || errors.Is(err, ErrPollTimeout) {
		t.Errorf("throwing predicate: %v, want its exception", err)
	}
	if err := Poll(ctx, `new Promise((done) => setTimeout(() => done(window.page == "/poll"), 50))`, 10*time.Second, 100*time.Millisecond); err != nil {
		t.Errorf("promise predicate: %v", err)
	}
}
