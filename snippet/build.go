package snippet

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

func minifyCSS(name string, opts Options) (string, error) {
	src, err := sources.ReadFile("src/" + name)
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
	if err := messagesError(name, res.Errors); err != nil {
		return "", err
	}
	return strings.TrimSpace(string(res.Code)), nil
}

// bundle builds one entry point (relative to src/) into a single file: a
// classic-script IIFE, or an ES module when module is true. Each value of
// define replaces its identifier as a JSON literal.
func bundle(entry string, module bool, define map[string]any, opts Options) ([]byte, error) {
	defines := map[string]string{}
	for name, v := range define {
		text, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		defines[name] = string(text)
	}
	format := api.FormatIIFE
	if module {
		format = api.FormatESModule
	}
	res := api.Build(api.BuildOptions{
		EntryPoints:       []string{entry},
		Bundle:            true,
		Write:             false,
		Format:            format,
		Target:            api.ES2020,
		Platform:          api.PlatformBrowser,
		MinifyWhitespace:  !opts.Debug,
		MinifySyntax:      !opts.Debug,
		MinifyIdentifiers: !opts.Debug,
		MangleProps:       mangle(opts),
		Charset:           api.CharsetUTF8,
		LegalComments:     api.LegalCommentsNone,
		Define:            defines,
		Plugins:           []api.Plugin{embeddedSources(sources)},
		LogLevel:          api.LogLevelSilent,
	})
	if err := messagesError(entry, res.Errors); err != nil {
		return nil, err
	}
	if len(res.OutputFiles) != 1 {
		return nil, fmt.Errorf("snippet: esbuild wrote %d files for %s, want 1", len(res.OutputFiles), entry)
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// mangle is the pattern of the property names esbuild shortens: those
// ending in "_", which the sources keep for fields private to one file
// (a Slot's). Every other name is left alone: options, events, the page
// handed to the form and the JSON on the wire are read by other files,
// by themes and by the server.
func mangle(opts Options) string {
	if opts.Debug {
		return ""
	}
	return "_$"
}
