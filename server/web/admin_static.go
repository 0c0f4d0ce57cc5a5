package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/moneytext"
)

// staticFiles are the admin's stylesheet and script, served under a
// content hash (/admin/static/admin.HASH.css) with immutable caching.
//
//go:embed static
var staticFiles embed.FS

// staticAsset is one embedded file and its hashed name.
type staticAsset struct {
	body   []byte
	hashed string // e.g. admin.0123abcd.css
}

// assets maps a file name (admin.css) to the asset.
var assets = loadAssets()

func loadAssets() map[string]staticAsset {
	out := map[string]staticAsset{}
	entries, err := staticFiles.ReadDir("static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		body, err := staticFiles.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(e.Name())
		out[e.Name()] = staticAsset{body: body, hashed: strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:6]) + ext}
	}
	return out
}

// assetPath returns the hashed URL path of a static file.
func assetPath(name string) (string, error) {
	a, ok := assets[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/admin/static/" + a.hashed, nil
}

// registerStatic serves the hashed static files.
func (a *Admin) registerStatic() {
	byHashed := map[string]staticAsset{}
	for _, asset := range assets {
		byHashed[asset.hashed] = asset
	}
	a.server.router.HandleFunc("/admin/static/{name}", func(w http.ResponseWriter, r *http.Request) {
		asset, ok := byHashed[mux.Vars(r)["name"]]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", mime.TypeByExtension(path.Ext(asset.hashed)))
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Length", strconv.Itoa(len(asset.body)))
		if r.Method != http.MethodHead {
			w.Write(asset.body)
		}
	}).Methods(http.MethodGet, http.MethodHead)
}

// templateFuncs are the functions admin templates may call.
var templateFuncs = template.FuncMap{
	"asset":    assetPath,
	"date":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"datetime": formatDateTime,
	"num":      formatNumber,
	"plural":   plural,
	"duration": formatDuration,
	"isoTime":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"sub":      func(a, b int) int { return a - b },
	"dict":     dict,
	"list":     func(items ...string) []string { return items },
	"report":   reportTitle,
	// amount, estimate and moneyTotals write amounts as merchants read them.
	"amount":      formatAmount,
	"estimate":    formatEstimate,
	"moneyTotals": moneytext.MerchantTotals,
	"mul100":      func(f float64) float64 { return f * 100 },
	"language":    languageWords,
	"outcome":     batchOutcome,
	"skip":        skipReasonText,
	// linkedText is a text message with its web addresses as links.
	"linkedText": linkedText,
	// excerpt is the start of a text, to tell it from others in a list.
	"excerpt": excerpt,
	// words keeps each word of a command whole when it wraps.
	"words":           unbrokenWords,
	"settingsCommand": settingsPageCommand,
	// signInLinkLifetime is how long a one-time sign-in link works, in
	// words ("15 minutes"), so the pages cannot drift from SignInLinkTTL.
	"signInLinkLifetime": func() string { return stockbell.DurationWords(stockbell.SignInLinkTTL) },
}

// dict builds a map from key/value pairs, to pass several values to a
// template: {{template "x" (dict "A" 1 "B" 2)}}.
func dict(pairs ...any) (map[string]any, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		key, ok := pairs[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", pairs[i])
		}
		m[key] = pairs[i+1]
	}
	return m, nil
}

// formatDateTime writes a time as merchants read it, in UTC.
func formatDateTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2 Jan 2006, 15:04 UTC")
	case *time.Time:
		if t == nil {
			return "—"
		}
		return t.UTC().Format("2 Jan 2006, 15:04 UTC")
	}
	return fmt.Sprint(v)
}

// formatNumber writes an integer with thousands separators: 12,345.
func formatNumber(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// plural writes "1 subscriber" or "3 subscribers" (an "s" is added unless
// the plural form is given).
func plural(n int, singular string, pluralForm ...string) string {
	if n == 1 {
		return "1 " + singular
	}
	if len(pluralForm) > 0 {
		return formatNumber(n) + " " + pluralForm[0]
	}
	return formatNumber(n) + " " + singular + "s"
}

// formatDuration writes a duration in words: "2 hours", "1 hour 30 minutes", "3 days".
func formatDuration(d time.Duration) string {
	if d <= 0 {
		return "no time"
	}
	parts := durationParts(d)
	if len(parts) == 0 {
		return d.Round(time.Second).String()
	}
	return strings.Join(parts, " ")
}

// durationParts names d's whole days, hours and minutes ("1 day",
// "2 hours"), leaving out those that are zero.
func durationParts(d time.Duration) []string {
	days, hours, minutes := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	for _, p := range []struct {
		n    int
		unit string
	}{{days, "day"}, {hours, "hour"}, {minutes, "minute"}} {
		if p.n > 0 {
			parts = append(parts, plural(p.n, p.unit))
		}
	}
	return parts
}

// unbrokenWords writes text (a terminal command) with each of its words
// kept on one line: a line may break between them, never after the
// hyphens of "--shop". Copied, the text is the same.
func unbrokenWords(text string) template.HTML {
	words := strings.Fields(text)
	for i, w := range words {
		words[i] = `<span class="word">` + template.HTMLEscapeString(w) + `</span>`
	}
	return template.HTML(strings.Join(words, " "))
}

// excerptWords is how many words of a text excerpt shows.
const excerptWords = 10

// excerpt is the first words of text, on one line, with "…" when there is
// more. Web addresses are left out: one word too long for a phone's line
// would widen a list beyond it.
func excerpt(text string) string {
	var words []string
	for _, w := range strings.Fields(text) {
		if !strings.HasPrefix(w, "http://") && !strings.HasPrefix(w, "https://") {
			words = append(words, w)
		}
	}
	if len(words) <= excerptWords {
		return strings.Join(words, " ")
	}
	return strings.Join(words[:excerptWords], " ") + "…"
}
