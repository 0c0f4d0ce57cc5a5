package delivery_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// TestUnsubscribePageInBrowser removes one alert with the mouse and the
// rest with the keyboard, in real headless Chromium on a 320 px screen.
func TestUnsubscribePageInBrowser(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	w := newWired(t, db)
	lampA := w.subscribe(t, "A", "ana@example.com", "")
	lampB := w.subscribe(t, "B", "ana@example.com", "")
	link := w.sendEmail(t, lampA)

	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile, chromedp.EmulateTouch), chromedp.Navigate(link))
	browsertest.WaitFor(t, ctx, `document.querySelectorAll("li").length == 2`)
	if overflow := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > 320`); overflow {
		t.Error("the page scrolls sideways on a 320 px screen")
	}
	browsertest.Screenshot(t, ctx, "unsubscribe-page-320px")

	browsertest.Click(t, ctx, `document.querySelector("li button")`)
	browsertest.Do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".done")))
	if w.status(t, lampA.ID) != stockbell.SubscriptionUnsubscribed || w.status(t, lampB.ID) != stockbell.SubscriptionQueued {
		t.Fatal("clicking Remove on the first alert must remove it alone")
	}
	if rows := browsertest.Eval[int](t, ctx, `document.querySelectorAll("li button").length`); rows != 1 {
		t.Fatalf("%d remove buttons after removing one alert, want 1", rows)
	}

	// Keyboard only: Tab to the remaining Remove button and press Enter.
	for range 5 {
		if browsertest.Eval[bool](t, ctx, `document.activeElement && document.activeElement.matches("li button")`) {
			break
		}
		browsertest.Do(t, ctx, chromedp.KeyEvent("\t"))
	}
	browsertest.Do(t, ctx, chromedp.KeyEvent("\r"), chromedp.WaitNotPresent(chromedp.CSS("li button")))
	browsertest.WaitFor(t, ctx, `document.querySelectorAll("li button").length == 0 && document.querySelector(".done") !== null`)
	if w.status(t, lampB.ID) != stockbell.SubscriptionUnsubscribed {
		t.Fatal("pressing Enter on Remove did not remove the alert")
	}
}

// Two alerts for the same product in different variants have Remove
// buttons a screen-reader user can tell apart: each names its variant too.
func TestUnsubscribePageRemoveButtonsNameTheVariant(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	w := newWired(t, db)
	w.addVariant(t, "A", "Copper")
	brass := w.subscribe(t, "A", "ana@example.com", "")
	w.subscribe(t, "A/Copper", "ana@example.com", "")
	link := w.sendEmail(t, brass)

	bctx := browsertest.New(t)
	browsertest.Do(t, bctx, chromedp.Navigate(link))
	browsertest.WaitFor(t, bctx, `document.querySelectorAll("li button").length == 2`)
	var got []string
	for _, name := range browsertest.ButtonNames(t, bctx) {
		if strings.HasPrefix(name, "Remove:") {
			got = append(got, name)
		}
	}
	if want := []string{"Remove: Lamp A (Brass)", "Remove: Lamp A (Copper)"}; !slices.Equal(got, want) {
		t.Errorf("accessible names of the Remove buttons %q, want %q", got, want)
	}
}

// On a phone the unsubscribe page's white card keeps clear of the
// screen's edges, as on a wide screen, rather than touching them.
func TestUnsubscribePageCardKeepsClearOfANarrowScreensEdges(t *testing.T) {
	bctx := browsertest.New(t)
	browsertest.Do(t, bctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		link := w.sendEmail(t, w.subscribe(t, "A", "ana@example.com", ""))
		browsertest.Do(t, bctx, chromedp.Navigate(link))
		browsertest.WaitFor(t, bctx, `document.querySelectorAll("li button").length == 1`)
		if left, right := browsertest.SideGaps(t, bctx, `document.querySelector("main")`); left < 16 || right < 16 {
			t.Errorf("the card is %.0f px from the left edge and %.0f px from the right on a 390 px screen, want at least 16", left, right)
		}
	})
}

// addVariant gives a lamp a second variant, sold out too, which subscribe
// then knows as "LAMP/TITLE".
func (f *shopFixture) addVariant(t *testing.T, lamp, title string) {
	t.Helper()
	url := "https://nord.example/products/lamp-" + lamp
	variant := func(id, title string) stockbell.VariantUpsert {
		return stockbell.VariantUpsert{PlatformID: id, Title: title, Price: "89.00", Tracked: true, URL: url + "?variant=" + id,
			InventoryPolicy: stockbell.InventoryDeny, Levels: []stockbell.LocationLevel{{LocationID: "main", Available: 0}}}
	}
	_, err := f.db.UpsertProduct(ctx, stockbell.ProductUpsert{ShopID: f.shop.ID, PlatformID: "p" + lamp, Title: "Lamp " + lamp,
		URL: url, Published: true, Variants: []stockbell.VariantUpsert{variant("v"+lamp, "Brass"), variant("v"+lamp+title, title)}})
	if err != nil {
		t.Fatal(err)
	}
	if f.variants[lamp+"/"+title], err = f.db.FindVariant(ctx, f.shop.ID, "v"+lamp+title); err != nil {
		t.Fatal(err)
	}
}

// On a 320 px screen the page in German, whose title is one long word
// ("Verfügbarkeitsbenachrichtigungen"), for a long email address, does not
// scroll sideways: long words break instead of running off the screen.
func TestUnsubscribePageInGermanFitsANarrowScreen(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	w := newWired(t, db)
	email := "annemarie.schneider-mueller.bestellungen@versandhandel-beispiel.example"
	sub, _, err := db.CreateSubscription(ctx, stockbell.SubscriptionCreate{ShopID: w.shop.ID, VariantID: w.variants["A"].ID,
		Email: email, Channels: []stockbell.Channel{stockbell.ChannelEmail}, Locale: "de", Source: "snippet"})
	if err != nil {
		t.Fatal(err)
	}
	link := w.sendEmail(t, sub)

	bctx := browsertest.New(t)
	browsertest.Do(t, bctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile, chromedp.EmulateTouch), chromedp.Navigate(link))
	browsertest.WaitFor(t, bctx, `document.querySelectorAll("li button").length == 1`)
	if got := browsertest.Eval[string](t, bctx, `document.querySelector("h1").textContent.replaceAll("\u00ad", "")`); got != "Ihre Verfügbarkeitsbenachrichtigungen" {
		t.Fatalf("title %q, want the German page", got)
	}
	browsertest.Screenshot(t, bctx, "unsubscribe-page-german-320px")
	if width := browsertest.Eval[int](t, bctx, `document.documentElement.scrollWidth`); width > 320 {
		t.Errorf("the page is %d px wide on a 320 px screen: it scrolls sideways", width)
	}
}
