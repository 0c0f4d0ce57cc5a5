package snippet

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The country select's form follows the window's width while the form is
// open, as when a phone is rotated or a window resized: opened wide it
// names the country, narrowed below 300 CSS pixels (200% zoom) it shows
// the country's code, and widened again the name, with every option shown
// whole. The shopper's number, its field and the chosen country are kept.
func TestCountrySelectFollowsTheWindowsWidth(t *testing.T) {
	ctx := newBrowser(t)
	s := newStorefront(t, "")
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	open(t, ctx, languagePage(t, s, `lang="en"`, `data-channels="both" data-country="FR"`))
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	click(t, ctx, `field("phone")`)
	do(t, ctx, chromedp.KeyEvent("612345678"))
	eval[chromedp.Void](t, ctx, `(field("phone").typedInto = true)`)
	const chosen = `field("country").selectedOptions[0].textContent`
	for _, size := range []struct {
		width int64
		scale float64
		want  string
	}{{195, 2, "+33 FR"}, {390, 1, "+33 France"}} {
		do(t, ctx, chromedp.EmulateViewport(size.width, 844/int64(size.scale), chromedp.EmulateScale(size.scale)))
		waitFor(t, ctx, chosen+` == "`+size.want+`"`)
		if cut := eval[[]string](t, ctx, cutCountries); len(cut) > 0 {
			t.Errorf("at %d px, %d countries shown cut (needed > shown px): %q", size.width, len(cut), cut)
		}
		kept := eval[[]string](t, ctx, `[field("phone").value, String(field("phone").typedInto), describe(active()), field("country").value]`)
		if want := []string{"612345678", "true", "phone", "FR"}; !equal(kept, want) {
			t.Errorf("at %d px the number, its field kept, the focus and the country: %q, want %q", size.width, kept, want)
		}
	}
}
