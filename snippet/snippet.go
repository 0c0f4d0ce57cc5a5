// Package snippet builds and serves Stockbell's storefront snippet: the
// "Notify me when available" button and form that themes embed with
//
//	<script src="https://APP/snippet.js" data-shop="SHOP_KEY" defer></script>
//
// The TypeScript sources and the CSS under src/ are embedded in the binary
// and bundled once at start-up by esbuild's Go API into a minified IIFE, so
// no Node is needed at run time. The bundle is compressed once (gzip and
// brotli) and served at /snippet.js (short cache, revalidated by ETag) and at
// the content-hashed /snippet/{hash}.js (immutable). See docs/snippet.md.
package snippet

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

//go:embed src/*.ts src/*.css
var sources embed.FS

// entryPoint is the module esbuild starts from, relative to src/.
const entryPoint = "main.ts"

// Options tune the build.
type Options struct {
	// Debug leaves the bundle readable (no minification), for development.
	Debug bool
}

// Bundle is the built snippet with its precompressed forms.
type Bundle struct {
	// JS is the bundle: a self-contained IIFE with its CSS inlined.
	JS []byte
	// Hash is the first 16 hex digits of the SHA-256 of JS; it names the
	// immutable URL and is the ETag.
	Hash string

	encodings map[string][]byte // "gzip", "br"
}

// Path is the content-hashed URL path of the bundle, e.g. "/snippet/0123abcd….js".
func (b *Bundle) Path() string { return "/snippet/" + b.Hash + ".js" }

// Compressed returns the bundle in a content coding ("gzip" or "br"), or nil.
func (b *Bundle) Compressed(coding string) []byte { return b.encodings[coding] }

// Build bundles the embedded sources. It fails when the TypeScript or CSS
// does not compile.
func Build(opts Options) (*Bundle, error) {
	css, err := minifyCSS(opts)
	if err != nil {
		return nil, err
	}
	js, err := bundleJS(css, opts)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(js)
	b := &Bundle{JS: js, Hash: hex.EncodeToString(sum[:8])}
	if b.encodings, err = compress(js); err != nil {
		return nil, fmt.Errorf("snippet: compress: %w", err)
	}
	return b, nil
}

func minifyCSS(opts Options) (string, error) {
	src, err := sources.ReadFile("src/style.css")
	if err != nil {
		return "", fmt.Errorf("snippet: %w", err)
	}
	res := api.Transform(string(src), api.TransformOptions{
		Loader:            api.LoaderCSS,
		MinifyWhitespace:  !opts.Debug,
		MinifySyntax:      !opts.Debug,
		MinifyIdentifiers: !opts.Debug,
		Target:            api.ES2020,
		Charset:           api.CharsetUTF8,
	})
	if err := messagesError("style.css", res.Errors); err != nil {
		return "", err
	}
	return strings.TrimSpace(string(res.Code)), nil
}

func bundleJS(css string, opts Options) ([]byte, error) {
	define, err := json.Marshal(css)
	if err != nil {
		return nil, err
	}
	res := api.Build(api.BuildOptions{
		EntryPoints:       []string{entryPoint},
		Bundle:            true,
		Write:             false,
		Format:            api.FormatIIFE,
		Target:            api.ES2020,
		Platform:          api.PlatformBrowser,
		MinifyWhitespace:  !opts.Debug,
		MinifySyntax:      !opts.Debug,
		MinifyIdentifiers: !opts.Debug,
		Charset:           api.CharsetUTF8,
		LegalComments:     api.LegalCommentsNone,
		Define:            map[string]string{"__CSS__": string(define)},
		Plugins:           []api.Plugin{embeddedSources(sources)},
		LogLevel:          api.LogLevelSilent,
	})
	if err := messagesError("bundle", res.Errors); err != nil {
		return nil, err
	}
	if len(res.OutputFiles) != 1 {
		return nil, fmt.Errorf("snippet: esbuild wrote %d files, want 1", len(res.OutputFiles))
	}
	return res.OutputFiles[0].Contents, nil
}

// embeddedSources resolves and loads modules from the embedded src/ folder
// instead of the file system.
func embeddedSources(fsys fs.FS) api.Plugin {
	return api.Plugin{Name: "embedded", Setup: func(build api.PluginBuild) {
		build.OnResolve(api.OnResolveOptions{Filter: ".*"}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			name := path.Join(path.Dir(args.Importer), args.Path)
			if path.Ext(name) == "" {
				name += ".ts"
			}
			return api.OnResolveResult{Path: name, Namespace: "embedded"}, nil
		})
		build.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: "embedded"}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
			src, err := fs.ReadFile(fsys, path.Join("src", args.Path))
			if err != nil {
				return api.OnLoadResult{}, err
			}
			contents := string(src)
			return api.OnLoadResult{Contents: &contents, Loader: api.LoaderTS}, nil
		})
	}}
}

func messagesError(what string, msgs []api.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	m := msgs[0]
	if m.Location != nil {
		return fmt.Errorf("snippet: %s: %s:%d:%d: %s", what, m.Location.File, m.Location.Line, m.Location.Column, m.Text)
	}
	return fmt.Errorf("snippet: %s: %s", what, m.Text)
}
