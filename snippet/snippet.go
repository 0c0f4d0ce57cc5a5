// Package snippet builds and serves Stockbell's storefront snippet: the
// "Notify me when available" button and form that themes embed with
//
//	<script src="https://APP/snippet.js" data-shop="SHOP_KEY" defer></script>
//
// The TypeScript sources and the CSS under src/ are embedded in the binary
// and bundled once at start-up by esbuild's Go API, so no Node is needed at
// run time. The bundle is a set of files, each minified, content-hashed and
// compressed once (gzip and brotli):
//
//   - the first-load script (detection, the button, options and the button's
//     label in every built-in language), a classic script served at
//     /snippet.js (short cache, revalidated by ETag) and at
//     /snippet/{hash}.js (immutable);
//   - the lazy files it imports as ES modules when the browser is idle with
//     a button on screen or when the shopper opens the form: the form, one
//     file per language and the phone helper, at /snippet/{name}.{hash}.js
//     (immutable).
//
// See docs/snippet.md.
package snippet

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

//go:embed src/*.ts src/*.css src/lang/*.ts
var sources embed.FS

// FirstLoad is the name of the first-load script, the file a page loads.
const FirstLoad = "snippet"

// Options tune the build.
type Options struct {
	// Debug leaves the files readable (no minification), for development.
	Debug bool
}

// File is one file of the bundle with its precompressed forms.
type File struct {
	// Name says what the file holds: FirstLoad, "form", "phone", or a
	// language code ("en", "fr", …) for that language's texts.
	Name string
	// JS is the minified script or module.
	JS []byte
	// Hash is the first 16 hex digits of the SHA-256 of JS; it names the
	// immutable URL and is the ETag.
	Hash string

	encodings map[string][]byte // "gzip", "br"
}

// Path is the content-hashed URL path of the file:
// "/snippet/0123abcd….js" for the first-load script and
// "/snippet/form.0123abcd….js" for a lazy file.
func (f *File) Path() string { return "/snippet/" + f.base() + ".js" }

// base is the file name without ".js": the hash, or name.hash for a lazy file.
func (f *File) base() string {
	if f.Name == FirstLoad {
		return f.Hash
	}
	return f.Name + "." + f.Hash
}

// Compressed returns the file in a content coding ("gzip" or "br"), or nil.
func (f *File) Compressed(coding string) []byte { return f.encodings[coding] }

func newFile(name string, js []byte) (*File, error) {
	sum := sha256.Sum256(js)
	f := &File{Name: name, JS: js, Hash: hex.EncodeToString(sum[:8])}
	var err error
	if f.encodings, err = compress(js); err != nil {
		return nil, fmt.Errorf("snippet: compress %s: %w", name, err)
	}
	return f, nil
}

// Bundle is the built snippet: the first-load script (embedded, so
// b.JS, b.Hash and b.Path() are its own) and the files it loads later.
type Bundle struct {
	File
	// Lazy are the files the first-load script imports on demand, sorted by name.
	Lazy []*File
}

// Files returns every file of the bundle, the first-load script first.
func (b *Bundle) Files() []*File { return append([]*File{&b.File}, b.Lazy...) }

// parseHashedPath splits "/snippet/HASH.js" (the first-load script) and
// "/snippet/NAME.HASH.js" into name and hash; HASH is 16 lower-case hex
// digits and NAME lower-case letters.
func parseHashedPath(urlPath string) (name, hash string, ok bool) {
	file, found := strings.CutPrefix(urlPath, "/snippet/")
	if !found || path.Ext(file) != ".js" {
		return "", "", false
	}
	name, hash, lazy := strings.Cut(strings.TrimSuffix(file, ".js"), ".")
	if !lazy {
		name, hash = FirstLoad, name
	} else if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz") != "" || name == FirstLoad {
		return "", "", false
	}
	if len(hash) != 16 || strings.Trim(hash, "0123456789abcdef") != "" {
		return "", "", false
	}
	return name, hash, true
}

// Build bundles the embedded sources: the lazy files first, then the
// first-load script, which carries their hashed names. It fails when the
// TypeScript or CSS does not compile.
func Build(opts Options) (*Bundle, error) {
	lazy, err := buildLazy(opts)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, f := range lazy {
		names[f.Name] = f.Hash
	}
	css, err := minifyCSS("base.css", opts)
	if err != nil {
		return nil, err
	}
	js, err := bundle("main.ts", false, map[string]any{"__CSS__": css, "__FILES__": names}, opts)
	if err != nil {
		return nil, err
	}
	first, err := newFile(FirstLoad, js)
	if err != nil {
		return nil, err
	}
	return &Bundle{File: *first, Lazy: lazy}, nil
}

// buildLazy builds the form, the phone helper and one file per language
// under src/lang, sorted by name.
func buildLazy(opts Options) ([]*File, error) {
	formCSS, err := minifyCSS("form.css", opts)
	if err != nil {
		return nil, err
	}
	entries := map[string]string{"form": "dialog.ts", "phone": "phone.ts"}
	langs, err := fs.Glob(sources, "src/lang/*.ts")
	if err != nil {
		return nil, err
	}
	for _, l := range langs {
		entries[strings.TrimSuffix(path.Base(l), ".ts")] = strings.TrimPrefix(l, "src/")
	}
	var files []*File
	for _, name := range sortedKeys(entries) {
		js, err := bundle(entries[name], true, map[string]any{"__FORM_CSS__": formCSS}, opts)
		if err != nil {
			return nil, err
		}
		f, err := newFile(name, js)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}
