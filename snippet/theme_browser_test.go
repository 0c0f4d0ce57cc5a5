package snippet

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// A dark theme sets the dialog's colours and the error's: a refusal then
// reads on the dark dialog, its text (4.5:1) and the refused field's
// outline (3:1) alike.
func TestRefusalReadsOnADarkTheme(t *testing.T) {
	s := newStorefront(t, "")
	ctx := newBrowser(t)
	open(t, ctx, languagePage(t, s, `lang="en"`, `data-color-background="#1a1a1a" data-color-text="#f2f2f2"
		data-color-accent="#f2f2f2" data-color-accent-text="#111111" data-color-button-background="#1a1a1a" data-color-error="#ff8a80"`))
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	do(t, ctx, chromedp.KeyEvent("name@\r"))
	waitFor(t, ctx, `status().classList.contains("e")`)
	if low := eval[[]string](t, ctx, lowContrast); len(low) > 0 {
		t.Errorf("too little contrast on the dark theme: %q", low)
	}
	outline := eval[float64](t, ctx, `(() => {`+contrastJS+` return ratio(getComputedStyle(field("email")).outlineColor, bg(dialog())); })()`)
	if outline < 3 {
		t.Errorf("the refused field's outline contrasts %.2f:1 with the dark dialog, want at least 3:1", outline)
	}
}

// A light page whose form a theme darkens by setting the properties on
// stockbell-dialog alone, as docs/snippet.md shows: the form reads on its
// dark background, refusal included, and the notice under the button
// (a press that could not load the form) still reads on the light page.
func TestDarkFormOnALightPage(t *testing.T) {
	s := newStorefront(t, "")
	s.shop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><link rel="icon" href="data:,">
<style>stockbell-dialog { --stockbell-background: #1a1a1a; --stockbell-text: #f2f2f2; --stockbell-error: #ff8a80; }</style>
<script>window.stockbellEvents = []; for (const name of ["ready", "error"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="shop-key-123" defer></script></head>
<body><div data-stockbell-variant="A" data-stockbell-available="false"><button disabled>Sold out</button></div></body></html>`, s.app.URL)
	})
	ctx := newBrowser(t)
	s.failLazyFiles(true)
	open(t, ctx, s.shop.URL)
	click(t, ctx, `button()`)
	const notice = `button().getRootNode().querySelector("[role=status]")`
	waitFor(t, ctx, notice+`.textContent != ""`)
	if r := eval[float64](t, ctx, `(() => {`+contrastJS+` return ratio(getComputedStyle(`+notice+`).color, bg(`+notice+`)); })()`); r < 4.5 {
		t.Errorf("the notice under the button contrasts %.2f:1 with the light page", r)
	}
	s.failLazyFiles(false)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	if got := eval[string](t, ctx, `getComputedStyle(dialog()).backgroundColor`); got != "rgb(26, 26, 26)" {
		t.Errorf("the dialog's background is %s, want the theme's #1a1a1a", got)
	}
	do(t, ctx, chromedp.KeyEvent("name@\r"))
	waitFor(t, ctx, `status().classList.contains("e")`)
	if low := eval[[]string](t, ctx, lowContrast); len(low) > 0 {
		t.Errorf("too little contrast: %q", low)
	}
}
