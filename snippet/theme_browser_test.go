package snippet

import (
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
