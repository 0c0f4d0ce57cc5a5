package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// This package's tests run as a package with a shared browser does.
func TestMain(m *testing.M) { Main(m) }

// TestSharedBrowserKeepsTestsApart: a tab of the shared browser sees
// nothing an earlier test's tab left at the same origin (cookies, local
// storage, cached responses), and has the window size a browser of its
// own would.
func TestSharedBrowserKeepsTestsApart(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Cache-Control", "max-age=3600")
		fmt.Fprint(w, `<!doctype html><link rel="icon" href="data:,"><script>window.stockbellEvents = [{name: "ready"}];</script>`)
	}))
	defer srv.Close()
	t.Run("first", func(t *testing.T) {
		ctx := New(t)
		Open(t, ctx, srv.URL+"/page")
		Eval[bool](t, ctx, `(document.cookie = "seen=1", localStorage.setItem("seen", "1"), true)`)
	})
	t.Run("second", func(t *testing.T) {
		ctx := New(t)
		Open(t, ctx, srv.URL+"/page")
		if left := Eval[string](t, ctx, `document.cookie + "|" + (localStorage.getItem("seen") || "")`); left != "|" {
			t.Errorf("the second test's tab found %q (cookie|local storage) from the first's", left)
		}
		if served := served.Load(); served != 2 {
			t.Errorf("the page was served %d times, want 2: the second tab read the first's cache", served)
		}
		if size := Eval[string](t, ctx, `innerWidth + "x" + innerHeight`); !strings.HasPrefix(size, "1280x") {
			t.Errorf("window %s, want 1280 wide as a browser of its own", size)
		}
	})
}

// TestDownloadsLandInTheGivenFolder: a file a tab of the shared browser
// downloads lands in the folder AllowDownloads gave for that tab.
func TestDownloadsLandInTheGivenFolder(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/export.csv" {
			w.Header().Set("Content-Disposition", `attachment; filename="export.csv"`)
			fmt.Fprint(w, "a,b\n")
			return
		}
		fmt.Fprint(w, `<!doctype html><link rel="icon" href="data:,"><script>window.stockbellEvents = [{name: "ready"}];</script><a href="/export.csv">export</a>`)
	}))
	defer srv.Close()
	ctx := New(t)
	dir := t.TempDir()
	AllowDownloads(t, ctx, dir)
	Open(t, ctx, srv.URL+"/")
	Eval[bool](t, ctx, `(document.querySelector("a").click(), true)`)
	file := filepath.Join(dir, "export.csv")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if body, err := os.ReadFile(file); err == nil && string(body) == "a,b\n" {
			return
		}
	}
	t.Fatalf("no %s within 10 s", file)
}
