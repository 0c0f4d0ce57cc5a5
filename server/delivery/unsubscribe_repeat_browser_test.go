package delivery_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// A shopper who signed up for the same variant more than once (alerted,
// then signed up again when it sold out again; or removed, then signed up
// again) sees rows that say when each sign-up was made, with the time where
// two share a day, not identical rows; each Remove button names its row's
// date, and removes that sign-up alone.
func TestUnsubscribePageTellsRepeatedSignUpsApart(t *testing.T) {
	bctx := browsertest.New(t)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		alerted, _ := w.notifiedMessage(t, "ana@example.com") // March 1, 2025, 12:00
		w.clock.Add(48 * time.Hour)
		again := w.subscribe(t, "A", "ana@example.com", "")
		if err := db.Unsubscribe(ctx, w.shop.ID, again.ID); err != nil {
			t.Fatal(err)
		}
		w.clock.Add(2 * time.Hour)
		latest := w.subscribe(t, "A", "ana@example.com", "")
		link := w.sendEmail(t, latest)

		browsertest.Do(t, bctx, chromedp.Navigate(link))
		browsertest.WaitFor(t, bctx, `document.querySelectorAll("li").length == 3`)
		rows := browsertest.Eval[[]string](t, bctx, `[...document.querySelectorAll("li > span:first-child")].map(s => s.textContent)`)
		want := []string{"Lamp A (Brass) signed up on March 1, 2025", "Lamp A (Brass) signed up on March 3, 2025, 12:00\u00a0UTC",
			"Lamp A (Brass) signed up on March 3, 2025, 14:00\u00a0UTC"}
		if !slices.Equal(rows, want) {
			t.Errorf("rows %q, want %q", rows, want)
		}
		var removes []string
		for _, name := range browsertest.ButtonNames(t, bctx) {
			if strings.HasPrefix(name, "Remove:") {
				removes = append(removes, name)
			}
		}
		if want := []string{"Remove: Lamp A (Brass) signed up on March 1, 2025", "Remove: Lamp A (Brass) signed up on March 3, 2025, 14:00\u00a0UTC"}; !slices.Equal(removes, want) {
			t.Errorf("Remove buttons %q, want %q", removes, want)
		}

		browsertest.Click(t, bctx, `document.querySelectorAll("li button")[0]`)
		browsertest.Do(t, bctx, chromedp.WaitVisible(chromedp.CSS(".done")))
		if w.status(t, alerted.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, latest.ID) != stockbell.SubscriptionQueued {
			t.Error("Remove on the March 1 row must remove that sign-up alone")
		}
	})
}

// A shopper with two sign-ups for one variant who removes one reads which
// one she removed, in the words its row uses, and that her other (the one
// alerted, which may still send the flow's later messages) is still
// active, and after Undo reads which one came back, in each of the page's
// four languages: "Alert removed" alone, and "Lamp A (Brass): restored",
// read the same for either sign-up.
func TestUnsubscribeNoticesNameWhichRepeatedSignUpInChromium(t *testing.T) {
	bctx := browsertest.New(t)
	languages := []struct{ locale, email, removed, restored string }{
		{"en", "ana@example.com", "Alert removed: Lamp A (Brass) signed up on March 3, 2025. You still have another active alert for Lamp A.",
			"Lamp A (Brass) signed up on March 3, 2025: restored: you will be told as before."},
		{"fr", "lea@example.com", "Alerte retirée\u00a0: Lamp A (Brass) inscription du 3\u00a0mars 2025. Vous avez encore une autre alerte active pour Lamp A.",
			"Lamp A (Brass) inscription du 3\u00a0mars 2025\u00a0: rétablie\u00a0: vous recevrez l'alerte comme avant."},
		{"de", "jan@example.com", "Benachrichtigung entfernt: Lamp A (Brass) Anmeldung vom 3.\u00a0März 2025. Sie haben für Lamp A noch eine weitere aktive Benachrichtigung.",
			"Lamp A (Brass) Anmeldung vom 3.\u00a0März 2025: wiederhergestellt: Sie werden wie zuvor benachrichtigt."},
		{"es", "eva@example.com", "Alerta eliminada: Lamp A (Brass) suscripción del 3 de marzo de 2025. Todavía tienes otra alerta activa para Lamp A.",
			"Lamp A (Brass) suscripción del 3 de marzo de 2025: restablecida: te avisaremos como antes."},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		for _, lang := range languages {
			w.notifiedMessage(t, lang.email) // March 1, 2025, 12:00
			w.clock.Add(48 * time.Hour)
			again := w.subscribe(t, "A", lang.email, "")
			if _, err := db.DB.ExecContext(ctx, db.DB.Rebind(`UPDATE subscriptions SET locale = ? WHERE id = ?`), lang.locale, again.ID); err != nil {
				t.Fatal(err)
			}
			removeOneOfTwoAndUndo(t, w, bctx, again, lang.removed, lang.restored)
			w.clock.Add(-48 * time.Hour) // the next shopper signs up on the same dates
		}
	})
}

// removeOneOfTwoAndUndo opens the page of sub's link, removes its row (the
// second of two), and checks the notice reads removed and, after Undo,
// that the page reads restored and sub is queued again.
func removeOneOfTwoAndUndo(t *testing.T, w *wired, bctx context.Context, sub *stockbell.Subscription, removed, restored string) {
	t.Helper()
	browsertest.Do(t, bctx, chromedp.Navigate(w.sendEmail(t, sub)))
	browsertest.WaitFor(t, bctx, `document.querySelectorAll("li button").length == 2`)
	browsertest.Click(t, bctx, `document.querySelectorAll("li button")[1]`)
	browsertest.Do(t, bctx, chromedp.WaitVisible(chromedp.CSS("form.undo button")))
	if notice := browsertest.Eval[string](t, bctx, `document.querySelector(".done p").textContent`); notice != removed {
		t.Errorf("the notice reads %q, want %q", notice, removed)
	}
	if w.status(t, sub.ID) != stockbell.SubscriptionUnsubscribed {
		t.Fatal("Remove on the March 3 row did not remove that sign-up")
	}
	browsertest.Click(t, bctx, `document.querySelector("form.undo button")`)
	browsertest.Do(t, bctx, chromedp.WaitVisible(chromedp.CSS("ul.undone")))
	if undone := strings.TrimSpace(browsertest.Eval[string](t, bctx, `document.querySelector("ul.undone").textContent`)); undone != restored {
		t.Errorf("after Undo the page reads %q, want %q", undone, restored)
	}
	if w.status(t, sub.ID) != stockbell.SubscriptionQueued {
		t.Errorf("the March 3 sign-up is %s after Undo, want queued", w.status(t, sub.ID))
	}
}
