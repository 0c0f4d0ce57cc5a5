package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/osteele/liquid"
	"github.com/osteele/liquid/render"
)

// embedScript is the src of the script tag the app embed renders.
var embedScript = regexp.MustCompile(`<script\s+src="([^"]*)"`)

// renderAppEmbed renders the theme app extension's embed block
// (extensions/stockbell-embed/blocks/stockbell-embed.liquid) with its
// Stockbell server URL setting typed as appURL and the server URL the
// install recorded in the app's metafield, and returns its script's src
// ("" when it renders none). Liquid as Shopify renders it: the schema
// block renders nothing.
func renderAppEmbed(t *testing.T, appURL, recorded string) string {
	t.Helper()
	source, err := os.ReadFile(filepath.Join("..", "extensions", "stockbell-embed", "blocks", "stockbell-embed.liquid"))
	noErr(t, err)
	engine := liquid.NewEngine()
	engine.RegisterBlock("schema", func(render.Context) (string, error) { return "", nil })
	out, err := engine.ParseAndRenderString(string(source), map[string]any{
		"block": map[string]any{"settings": map[string]any{"app_url": appURL, "channels": "email", "placement": "after",
			"marketing": false, "accent": "#111111", "accent_text": "#ffffff", "radius": 4}},
		"app":     map[string]any{"metafields": map[string]any{"stockbell": map[string]any{"server_url": map[string]any{"value": recorded}}}},
		"shop":    map[string]any{"permanent_domain": e2eShop},
		"request": map[string]any{"locale": map[string]any{"iso_code": "en"}},
	})
	noErr(t, err)
	if m := embedScript.FindStringSubmatch(out); m != nil {
		return m[1]
	}
	return ""
}

// TestAppEmbedLoadsTheSnippetFromTheServerURLAsTyped: the app embed's
// Stockbell server URL, typed with a trailing slash (or two, spaces, a
// query, or the snippet's own address), loads /snippet.js from that
// server, where it loaded //snippet.js (a path the server does not
// serve); left empty, the URL the install recorded does the same, and
// with neither the embed renders no script.
func TestAppEmbedLoadsTheSnippetFromTheServerURLAsTyped(t *testing.T) {
	const want = "https://bells.stockbell.example/snippet.js"
	for _, typed := range []string{"https://bells.stockbell.example", "https://bells.stockbell.example/",
		"https://bells.stockbell.example//", " https://bells.stockbell.example/ ", "https://bells.stockbell.example/?x=1",
		"https://bells.stockbell.example/snippet.js"} {
		if got := renderAppEmbed(t, typed, ""); got != want {
			t.Errorf("server URL typed %q: the embed loads %q, want %q", typed, got, want)
		}
	}
	if got := renderAppEmbed(t, "", "https://bells.stockbell.example/"); got != want {
		t.Errorf("the recorded server URL with a trailing slash: the embed loads %q, want %q", got, want)
	}
	if got := renderAppEmbed(t, "https://bells.stockbell.example/stockbell/", ""); got != "https://bells.stockbell.example/stockbell/snippet.js" {
		t.Errorf("a server under a path: the embed loads %q", got)
	}
	if got := renderAppEmbed(t, "", ""); got != "" {
		t.Errorf("no server URL: the embed loads %q", got)
	}
}
