package delivery_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestUnsubscribeNoticeSaysAnotherAlertForTheProductStays: a shopper
// with alerts for two variants of one lamp who removes one reads, in each
// of the page's four languages, that her other alert for that lamp is
// still active, not that she will hear no more about the item; removing
// the second, her last for the lamp, says she will not hear about it
// again, though her alert for another lamp stays.
func TestUnsubscribeNoticeSaysAnotherAlertForTheProductStays(t *testing.T) {
	bctx := browsertest.New(t)
	languages := []struct{ locale, email, kept, last string }{
		{"en", "ana@example.com", "Alert removed. You still have another active alert for Lamp A.",
			"Alert removed. You will not hear about it again."},
		{"fr", "lea@example.com", "Alerte retirée. Vous avez encore une autre alerte active pour Lamp A.",
			"Alerte retirée. Vous ne recevrez plus d'alerte pour cet article."},
		{"de", "jan@example.com", "Benachrichtigung entfernt. Sie haben für Lamp A noch eine weitere aktive Benachrichtigung.",
			"Benachrichtigung entfernt. Sie hören dazu nichts mehr."},
		{"es", "eva@example.com", "Alerta eliminada. Todavía tienes otra alerta activa para Lamp A.",
			"Alerta eliminada. No volverás a recibir avisos de este artículo."},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		w.addVariant(t, "A", "Copper")
		for _, lang := range languages {
			brass := subscribeIn(t, w, "A", lang.email, lang.locale)
			copper := subscribeIn(t, w, "A/Copper", lang.email, lang.locale)
			lampB := subscribeIn(t, w, "B", lang.email, lang.locale)
			browsertest.Do(t, bctx, chromedp.Navigate(w.sendEmail(t, brass)))
			browsertest.WaitFor(t, bctx, `document.querySelectorAll("li button").length == 3`)
			for i, want := range []string{lang.kept, lang.last} {
				browsertest.Click(t, bctx, `document.querySelector("li button")`)
				left := `document.querySelector(".done") && document.querySelectorAll("li button").length == ` + []string{"2", "1"}[i]
				if err := browsertest.PollThroughNavigation(bctx, left, 20*time.Second); err != nil {
					t.Fatalf("%s: after removing alert %d of Lamp A's 2: %v", lang.locale, i+1, err)
				}
				if notice := browsertest.Eval[string](t, bctx, `document.querySelector(".done p").textContent`); notice != want {
					t.Errorf("%s: removing alert %d of Lamp A's 2, the notice reads %q, want %q", lang.locale, i+1, notice, want)
				}
			}
			if w.status(t, brass.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, copper.ID) != stockbell.SubscriptionUnsubscribed ||
				w.status(t, lampB.ID) != stockbell.SubscriptionQueued {
				t.Fatalf("%s: the two Remove buttons must remove Lamp A's two alerts, and those alone", lang.locale)
			}
		}
	})
}

// subscribeIn queues a subscription to a lamp (as subscribe knows it) in
// the language of locale.
func subscribeIn(t *testing.T, w *wired, lamp, email, locale string) *stockbell.Subscription {
	t.Helper()
	sub, _, err := w.db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variants[lamp].ID,
		Email: email, Channels: []stockbell.Channel{stockbell.ChannelEmail}, Locale: locale, Source: "snippet"})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
