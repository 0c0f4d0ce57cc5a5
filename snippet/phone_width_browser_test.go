package snippet

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/chromedp/chromedp"
)

// phoneFit types into the open form's phone field and measures whether the
// field shows all of it (an input scrolls text it cannot show: its
// scrollWidth then exceeds its clientWidth), and whether the country select
// still shows its longest option whole, or is as wide as the row (a long
// name in a wide font on a phone is cut whatever the layout).
const phoneFit = `(() => {
	const n = field("phone"), sel = field("country"), c = sel.cloneNode(true);
	c.style.cssText = "width: max-content !important; max-width: none !important; flex: none !important; position: absolute; visibility: hidden";
	sel.parentNode.append(c);
	const need = c.getBoundingClientRect().width;
	c.remove();
	return {scroll: n.scrollWidth, client: n.clientWidth, select: sel.getBoundingClientRect().width, need, row: sel.parentNode.clientWidth};
})()`

type phoneWidth struct{ Scroll, Client, Select, Need, Row float64 }

// A French national number typed whole ("06 12 34 56 78", and without
// spaces with its calling code) is seen whole in the phone field, in every
// language and at a phone's, a tablet's and a desktop's width, in the
// page's font and in a wide one (DejaVu Sans, where the field showed 129 px
// of the 142 px the number needs beside an English select), while
// the country select beside or above it still shows whole country names.
func TestPhoneFieldShowsAWholeNumber(t *testing.T) {
	ctx := newBrowser(t)
	wantFontInstalled(t, ctx, "DejaVu Sans")
	for _, font := range []string{"Georgia, serif", "'DejaVu Sans'"} {
		for _, locale := range []string{"en", "fr", "de", "es"} {
			for _, width := range []int64{360, 768, 1440} {
				t.Run(fmt.Sprintf("%s/%s/%dpx", font, locale, width), func(t *testing.T) {
					phoneFitsAt(t, ctx, font, locale, width)
				})
			}
		}
	}
}

func phoneFitsAt(t *testing.T, ctx context.Context, font, locale string, width int64) {
	s := newStorefront(t, `data-channels="both" data-country="FR" data-locale="`+locale+`"`)
	do(t, ctx, chromedp.EmulateViewport(width, 800))
	open(t, ctx, s.shop.URL+"/pages/custom")
	eval[chromedp.Void](t, ctx, `document.head.insertAdjacentHTML("beforeend", "<style>* { font-family: `+font+` }</style>")`)
	click(t, ctx, `button()`)
	waitFor(t, ctx, `dialog() && dialog().open`)
	for _, number := range []string{"06 12 34 56 78", "+33612345678"} {
		eval[chromedp.Void](t, ctx, `field("phone").value = ""`)
		click(t, ctx, `field("phone")`)
		do(t, ctx, chromedp.KeyEvent(number))
		got := eval[phoneWidth](t, ctx, phoneFit)
		if got.Scroll > got.Client {
			t.Errorf("%q needs %.0f px, the phone field shows %.0f px of it", number, got.Scroll, got.Client)
		}
		if got.Select < math.Min(got.Need, got.Row)-0.5 {
			t.Errorf("select %.0f px wide in a %.0f px row, its longest option needs %.0f px", got.Select, got.Row, got.Need)
		}
	}
}

// wantFontInstalled fails unless Chromium draws text in the font: a font
// that is not installed falls back silently, and the cases in it would
// only repeat those in the fallback. Text is measured in the font, with
// monospace behind it, and in monospace alone: the same width means the
// font is missing (Debian's fonts-dejavu-core has DejaVu Sans).
func wantFontInstalled(t *testing.T, ctx context.Context, font string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate("about:blank"))
	same := eval[bool](t, ctx, `(() => {
		const c = document.createElement("canvas").getContext("2d"), text = "06 12 34 56 78 Vereinigte";
		c.font = "16px '`+font+`', monospace";
		const inFont = c.measureText(text).width;
		c.font = "16px monospace";
		return inFont === c.measureText(text).width;
	})()`)
	if same {
		t.Fatalf("the font %q is not installed: the cases in it would test the fallback font (apt-get install fonts-dejavu-core)", font)
	}
}
