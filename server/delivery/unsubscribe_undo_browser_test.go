package delivery_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestUndoInBrowser: in real headless Chromium, a French and a German
// shopper remove their alert, see the Undo button in their language with
// how long it lasts, press it, and read that the alert is back, which it
// is, in its place.
func TestUndoInBrowser(t *testing.T) {
	bctx := browsertest.New(t)
	browsertest.Do(t, bctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile, chromedp.EmulateTouch))
	languages := []struct{ lamp, locale, undo, hint, restored string }{
		{"A", "fr", "Annuler", "Vous pouvez annuler pendant 24\u00a0heures.", "Lamp A (Brass)\u00a0: rétablie\u00a0: vous recevrez l'alerte comme avant."},
		{"B", "de-DE", "Rückgängig machen", "Sie können dies 24 Stunden lang rückgängig machen.", "Lamp B (Brass): wiederhergestellt: Sie werden wie zuvor benachrichtigt."},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		for _, lang := range languages {
			sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variants[lang.lamp].ID,
				Email: "lea-" + lang.locale + "@example.com", Channels: []stockbell.Channel{stockbell.ChannelEmail}, Locale: lang.locale, Source: "snippet"})
			if err != nil {
				t.Fatal(err)
			}
			later := w.subscribe(t, lang.lamp, "max@example.com", "")
			browsertest.Do(t, bctx, chromedp.Navigate(w.sendEmail(t, sub)))
			browsertest.WaitFor(t, bctx, `document.querySelectorAll("li button").length == 1`)
			browsertest.Click(t, bctx, `document.querySelector("li button")`)
			browsertest.Do(t, bctx, chromedp.WaitVisible(chromedp.CSS("form.undo button")))
			if got := browsertest.Eval[string](t, bctx, `document.querySelector("form.undo").textContent`); !strings.Contains(got, lang.undo) || !strings.Contains(got, lang.hint) {
				t.Errorf("%s: the Undo form reads %q, want %q and %q", lang.locale, got, lang.undo, lang.hint)
			}
			if w.status(t, sub.ID) != stockbell.SubscriptionUnsubscribed {
				t.Fatalf("%s: Remove did not unsubscribe", lang.locale)
			}
			browsertest.Screenshot(t, bctx, "unsubscribe-undo-"+lang.locale)
			browsertest.Click(t, bctx, `document.querySelector("form.undo button")`)
			browsertest.Do(t, bctx, chromedp.WaitVisible(chromedp.CSS("ul.undone")))
			if got := browsertest.Eval[string](t, bctx, `document.querySelector("ul.undone").textContent`); !strings.Contains(got, lang.restored) {
				t.Errorf("%s: after Undo the page reads %q, want %q", lang.locale, got, lang.restored)
			}
			if w.status(t, sub.ID) != stockbell.SubscriptionQueued {
				t.Errorf("%s: the alert is %s after Undo, want queued", lang.locale, w.status(t, sub.ID))
			}
			wantQueue(t, w, lang.lamp, sub.ID, later.ID)
			if width := browsertest.Eval[int](t, bctx, `document.documentElement.scrollWidth`); width > 320 {
				t.Errorf("%s: the page is %d px wide on a 320 px screen", lang.locale, width)
			}
		}
	})
}
