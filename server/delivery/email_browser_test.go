package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// emailPage serves one email's HTML part, and the product image it shows.
func emailPage(t *testing.T, html string) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/email", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(html))
	})
	mux.HandleFunc("/shirt.svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><rect width="512" height="512" fill="#dde"/></svg>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// readEmailOnAPhone opens an email's HTML part in headless Chromium on a
// 360 px screen and fails for what a shopper could not read there: text
// with too little contrast, a page wider than the screen, an image
// without alt text or that did not load, or a language other than lang.
func readEmailOnAPhone(t *testing.T, ctx context.Context, name, url, lang string) {
	t.Helper()
	browsertest.Do(t, ctx, chromedp.EmulateViewport(360, 720, chromedp.EmulateMobile), chromedp.Navigate(url))
	browsertest.WaitFor(t, ctx, `document.readyState == "complete"`)
	browsertest.Screenshot(t, ctx, name+"-360px")
	if low := browsertest.Eval[[]string](t, ctx, browsertest.LowContrastText); len(low) > 0 {
		t.Errorf("%s: text below 4.5:1 contrast: %q", name, low)
	}
	if wide := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > 360`); wide {
		t.Errorf("%s: the email scrolls sideways on a 360 px screen", name)
	}
	broken := browsertest.Eval[[]string](t, ctx, `[...document.images].filter(i => !i.alt.trim() || !i.complete || !i.naturalWidth).map(i => i.src)`)
	if len(broken) > 0 {
		t.Errorf("%s: images without alt text or not loaded: %q", name, broken)
	}
	if got := browsertest.Eval[string](t, ctx, `document.documentElement.lang`); got != lang {
		t.Errorf("%s: the email declares the language %q, want %q (a screen reader reads it in that voice)", name, got, lang)
	}
}

// TestEmailsReadOnAPhoneInChromium: the alert and the double opt-in
// request, in each language, read on a 360 px phone screen.
func TestEmailsReadOnAPhoneInChromium(t *testing.T) {
	ctx := browsertest.NewWithin(t, 2*time.Minute)
	signer, err := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	templates := NewTemplates(NewLinks("https://bell.test/", signer), StopNorthAmerica)
	for _, lang := range []string{"en", "fr", "de", "es"} {
		base := emailPage(t, "")
		alert, err := templates.Render(context.Background(), shirtAlert(lang, base+"/shirt.svg"))
		if err != nil {
			t.Fatal(err)
		}
		readEmailOnAPhone(t, ctx, "alert-"+lang, emailPage(t, alert.HTML)+"/email", lang)
		request, _ := confirmationMessage(shirtConfirmation(lang), "https://bell.test/confirm/x")
		readEmailOnAPhone(t, ctx, "confirmation-"+lang, emailPage(t, request.HTML)+"/email", lang)
	}
}

// shirtAlert is the alert about a restocked shirt with its picture.
func shirtAlert(locale, image string) stockbell.MessageContent {
	shop := &stockbell.Shop{ID: 7, Name: "Atelier Nord", Domain: "atelier-nord.myshopify.com", Status: stockbell.ShopInstalled}
	variant := &stockbell.VariantWithProduct{
		Variant:      stockbell.Variant{ID: 11, ShopID: 7, Title: "M / Blue", Price: "49.00", URL: "https://atelier.example/products/shirt?variant=4411", ImageURL: image},
		ProductTitle: "Linen shirt", ProductURL: "https://atelier.example/products/shirt", Published: true,
	}
	sub := &stockbell.Subscription{ID: 21, ShopID: 7, VariantID: 11, Channels: stockbell.Channels{stockbell.ChannelEmail},
		Email: "ann@example.com", Locale: locale, Status: stockbell.SubscriptionNotified}
	msg := &stockbell.Message{ID: 42, ShopID: 7, SubscriptionID: 21, Step: 1, Channel: stockbell.ChannelEmail, Recipient: sub.Email}
	return stockbell.MessageContent{Shop: shop, Variant: variant, Subscription: sub, Message: msg, Step: stockbell.FlowStep{Channel: stockbell.ChannelEmail}}
}

// shirtConfirmation is the double opt-in request for the shirt.
func shirtConfirmation(locale string) *stockbell.ConfirmationRequest {
	alert := shirtAlert(locale, "")
	return &stockbell.ConfirmationRequest{Shop: *alert.Shop, Variant: *alert.Variant, Subscription: *alert.Subscription,
		Confirmation: stockbell.Confirmation{ID: 5, ShopID: 7, Channel: stockbell.ChannelEmail, Recipient: "ann@example.com",
			RequestedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
}
