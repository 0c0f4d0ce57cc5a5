package snippet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/web"
)

func lazyFile(t testing.TB, b *Bundle, name string) *File {
	t.Helper()
	for _, f := range b.Lazy {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no lazy file %q", name)
	return nil
}

func TestLazyFilesAreHashedModulesNamedByTheFirstLoadScript(t *testing.T) {
	b := mustBuild(t)
	var names []string
	for _, f := range b.Lazy {
		names = append(names, f.Name)
		sum := sha256.Sum256(f.JS)
		if f.Hash != hex.EncodeToString(sum[:8]) || f.Path() != "/snippet/"+f.Name+"."+f.Hash+".js" {
			t.Errorf("%s: hash %s, path %s", f.Name, f.Hash, f.Path())
		}
		if !bytes.Contains(f.JS, []byte("export{")) || bytes.HasPrefix(f.JS, []byte("(()=>{")) {
			t.Errorf("%s is not an ES module: %.60q", f.Name, f.JS)
		}
		// By name, its hash: the script puts the file's path together.
		if !bytes.Contains(b.JS, []byte(f.Name+`:"`+f.Hash+`"`)) {
			t.Errorf("the first-load script does not name %s's hash %s", f.Name, f.Hash)
		}
	}
	if want := []string{"de", "en", "es", "form", "fr", "phone"}; !slices.Equal(names, want) {
		t.Fatalf("lazy files %q, want %q", names, want)
	}
	first, form := string(b.JS), string(lazyFile(t, b, "form").JS)
	for _, lazy := range []string{"showModal", "Get notified when it's back", "+33"} {
		if strings.Contains(first, lazy) {
			t.Errorf("the first-load script carries %q, which belongs to a lazy file", lazy)
		}
	}
	for _, label := range []string{"Notify me when available", "M'avertir quand disponible", "Benachrichtigen, wenn verfügbar", "Avisarme cuando esté disponible"} {
		if !strings.Contains(first, label) {
			t.Errorf("the first-load script lacks the button label %q", label)
		}
	}
	if !strings.Contains(form, "showModal") || !strings.Contains(form, "dialog::backdrop") || strings.Contains(form, ":host{") {
		t.Error("the form file should carry the dialog and its own rules, not the shared sheet")
	}
	if again := mustBuild(t); !slices.EqualFunc(again.Files(), b.Files(), func(x, y *File) bool { return x.Hash == y.Hash }) {
		t.Error("the build is not reproducible")
	}
}

func TestResolveNamesEveryFileAndToleratesOlderHashes(t *testing.T) {
	b := mustBuild(t)
	form, fr := lazyFile(t, b, "form"), lazyFile(t, b, "fr")
	cases := []struct {
		path      string
		want      *File
		immutable bool
	}{
		{"/snippet.js", &b.File, false},
		{b.Path(), &b.File, true},
		{"/snippet/0123456789abcdef.js", &b.File, false},
		{form.Path(), form, true},
		{"/snippet/form.0123456789abcdef.js", form, false},
		{fr.Path(), fr, true},
		{"/snippet/xx.0123456789abcdef.js", nil, false},
		{"/snippet/snippet." + b.Hash + ".js", nil, false},
		{"/snippet/Form." + form.Hash + ".js", nil, false},
		{"/snippet/form." + strings.ToUpper(form.Hash) + ".js", nil, false},
		{"/snippet/form.abc.js", nil, false},
		{"/snippet/.0123456789abcdef.js", nil, false},
		{"/snippet/form.x.0123456789abcdef.js", nil, false},
		{"/snippet/form." + form.Hash + ".js.map", nil, false},
		{"/snippet/form", nil, false},
	}
	for _, c := range cases {
		want := ""
		if c.want != nil {
			want = c.want.Hash
		}
		if hash, immutable := b.Resolve(c.path); hash != want || immutable != c.immutable {
			t.Errorf("Resolve(%s) = %q, %v; want %q, %v", c.path, hash, immutable, want, c.immutable)
		}
	}
}

func TestContentFindsEveryFileByHash(t *testing.T) {
	b := mustBuild(t)
	for _, f := range b.Files() {
		for _, coding := range []string{"", "gzip", "br"} {
			want := f.JS
			if coding != "" {
				want = f.Compressed(coding)
			}
			if got := b.Content(f.Hash, coding); !bytes.Equal(got, want) {
				t.Errorf("Content(%s %s, %q): %d bytes, want %d", f.Name, f.Hash, coding, len(got), len(want))
			}
		}
	}
	if b.Content("0123456789abcdef", "") != nil || b.Content(b.Hash, "deflate") != nil {
		t.Error("content for an unknown hash or coding")
	}
}

func TestHandlerServesLazyFilesAsCrossOriginModules(t *testing.T) {
	b := mustBuild(t)
	h := b.Handler()
	for _, f := range b.Lazy {
		w := get(t, h, "GET", f.Path(), "Accept-Encoding", "br")
		want := map[string]string{
			"Cache-Control":                web.HashedCacheControl,
			"Content-Type":                 "text/javascript; charset=utf-8",
			"Content-Encoding":             "br",
			"ETag":                         `"` + f.Hash + `-br"`,
			"Access-Control-Allow-Origin":  "*",
			"Cross-Origin-Resource-Policy": "cross-origin",
		}
		for k, v := range want {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", f.Name, k, got, v)
			}
		}
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), f.Compressed("br")) {
			t.Errorf("%s: status %d, %d bytes", f.Name, w.Code, w.Body.Len())
		}
		if w := get(t, h, "GET", f.Path(), "If-None-Match", `"`+f.Hash+`-gzip"`); w.Code != http.StatusNotModified {
			t.Errorf("%s: If-None-Match got %d", f.Name, w.Code)
		}
	}
	stale := get(t, h, "GET", "/snippet/form.0000000000000000.js")
	if stale.Code != 200 || stale.Header().Get("Cache-Control") != web.StableCacheControl || !bytes.Equal(stale.Body.Bytes(), lazyFile(t, b, "form").JS) {
		t.Errorf("an older form hash: status %d, Cache-Control %q", stale.Code, stale.Header().Get("Cache-Control"))
	}
}
