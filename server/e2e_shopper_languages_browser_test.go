package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/demo"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// shopperLanguage is what a shopper whose browser speaks one language
// meets, from the product page's button to the unsubscribe page's Undo.
type shopperLanguage struct {
	lang, acceptLanguage string
	email, phone, e164   string // the shopper's address and a mobile number of a country that confirms texts first
	// The snippet's texts (snippet/src/lang).
	button, badEmail, landline, checkPhone string
	// The confirmation text and page.
	confirmSMS, confirmTitle, confirmed string
	// The alert email and text.
	subject, heading, price, buy, unsubscribe, sms string
	// The unsubscribe page.
	pageTitle, removed, restored, inactive string
}

var shopperLanguages = []shopperLanguage{
	{lang: "fr", acceptLanguage: "fr-FR,fr;q=0.9", email: "lea@example.fr", phone: "+41 79 123 45 67", e164: "+41791234567",
		button: "M'avertir quand disponible", badEmail: "Saisissez une adresse e-mail valide, comme nom@exemple.fr.",
		landline: "Saisissez un numéro de mobile valide\u00a0: ce numéro ne peut pas recevoir de SMS.", checkPhone: "répondez OUI au SMS",
		confirmSMS:   "Stockbell Demo Shop : confirmez que vous voulez un SMS quand Alpine Wool Sweater (M) sera de nouveau en stock.",
		confirmTitle: "Confirmez votre alerte", confirmed: "C'est confirmé. Stockbell Demo Shop vous préviendra quand Alpine Wool Sweater (M) sera de nouveau en stock.",
		subject: "Alpine Wool Sweater est de nouveau en stock", heading: "Bonne nouvelle\u00a0: l'article est de retour\u00a0!",
		price: "Prix\u00a0: 89,00\u00a0€", buy: "Acheter maintenant\u00a0: ", unsubscribe: "Se désabonner\u00a0: ",
		sms:       "Stockbell Demo Shop : Alpine Wool Sweater (M) est de nouveau en stock. ",
		pageTitle: "Vos alertes de retour en stock", removed: "Alerte retirée.", restored: "rétablie", inactive: "retirée"},
	{lang: "de", acceptLanguage: "de-DE,de;q=0.9", email: "jonas@example.de", phone: "+49 1512 3456789", e164: "+4915123456789",
		button: "Benachrichtigen, wenn verfügbar", badEmail: "Geben Sie eine gültige E-Mail-Adresse ein, etwa name@beispiel.de.",
		landline: "Geben Sie eine gültige Mobilnummer ein: An diese Nummer können keine SMS gesendet werden.", checkPhone: "Antworten Sie JA auf die SMS",
		confirmSMS:   "Stockbell Demo Shop: Bestätigen Sie, dass Sie eine SMS erhalten möchten, sobald Alpine Wool Sweater (M) wieder vorrätig ist.",
		confirmTitle: "Bestätigen Sie Ihre Benachrichtigung", confirmed: "Bestätigt. Stockbell Demo Shop benachrichtigt Sie, sobald Alpine Wool Sweater (M) wieder vorrätig ist.",
		subject: "Alpine Wool Sweater ist wieder vorrätig", heading: "Gute Nachricht: Der Artikel ist wieder da!",
		price: "Preis: 89,00\u00a0€", buy: "Jetzt kaufen: ", unsubscribe: "Abmelden: ",
		sms:       "Stockbell Demo Shop: Alpine Wool Sweater (M) ist wieder vorrätig. ",
		pageTitle: "Ihre Verfügbarkeitsbenachrichtigungen", removed: "Benachrichtigung entfernt.", restored: "wiederhergestellt", inactive: "entfernt"},
	{lang: "es", acceptLanguage: "es-ES,es;q=0.9", email: "lucia@example.es", phone: "+1 201 555 0123", e164: "+12015550123",
		button: "Avisarme cuando esté disponible", badEmail: "Introduce un correo electrónico válido, como nombre@ejemplo.es.",
		landline: "Introduce un número de móvil válido: a este número no se pueden enviar SMS.", checkPhone: "responde SI al SMS",
		confirmSMS:   "Stockbell Demo Shop: confirma que quieres un SMS cuando Alpine Wool Sweater (M) vuelva a estar disponible.",
		confirmTitle: "Confirma tu alerta", confirmed: "Confirmado. Stockbell Demo Shop te avisará cuando Alpine Wool Sweater (M) vuelva a estar disponible.",
		subject: "Alpine Wool Sweater vuelve a estar disponible", heading: "Buenas noticias: ¡ha vuelto!",
		price: "Precio: 89,00\u00a0€", buy: "Comprar ahora: ", unsubscribe: "Darse de baja: ",
		sms:       "Stockbell Demo Shop: Alpine Wool Sweater (M) vuelve a estar disponible. ",
		pageTitle: "Tus alertas de disponibilidad", removed: "Alerta eliminada.", restored: "restablecida", inactive: "eliminada"},
}

// speak makes the browser ask for pages in a language: its
// Accept-Language header and navigator.language.
func speak(t *testing.T, ctx context.Context, acceptLanguage string) {
	t.Helper()
	agent := browsertest.Eval[string](t, ctx, `navigator.userAgent`)
	browsertest.Do(t, ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: agent, AcceptLanguage: acceptLanguage})
		return err
	}))
}

// demoShopPage serves a product page of the demo shop's sweater in size M
// that declares no language, as many themes do: the snippet then speaks
// the browser's.
func demoShopPage(t *testing.T, appURL string) string {
	t.Helper()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><script>window.stockbellEvents = [];
for (const name of ["ready", "subscribed", "error"]) document.addEventListener("stockbell:" + name, (e) => stockbellEvents.push({name, detail: e.detail}))</script>
<script src="%s/snippet.js" data-shop="%s" data-channels="both" defer></script></head>
<body><h1>Alpine Wool Sweater</h1><div data-stockbell-variant="%s" data-stockbell-available="false" data-stockbell-name="Alpine Wool Sweater"></div></body></html>`,
			appURL, demo.Domain, demo.FeaturedVariant)
	}))
	t.Cleanup(page.Close)
	return page.URL
}

// wordsBrokenMidWord lists the words of the page that a line break cuts
// anywhere but at a hyphen, soft or not: a German compound cut between
// any two letters ("Verfügbarkeitsbenachricht|igungen"). A word with
// hyphens is checked piece by piece, each piece on one line, so that a
// compound carrying a soft hyphen is still caught cut elsewhere
// ("Verfügbarkeits-|benachricht|igungen"): its first and last letters
// are on one line. (A letter's own box is its last: the one of a piece's
// first letter after a soft hyphen's break also holds the hyphen drawn
// at the end of the line before.) Addresses (an email, a link) may break
// anywhere.
const wordsBrokenMidWord = `(() => {
	const out = [], walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
	for (let node; (node = walker.nextNode()); ) {
		const lineOf = (i) => {
			const range = document.createRange();
			range.setStart(node, i);
			range.setEnd(node, i + 1);
			const boxes = [...range.getClientRects()].filter((r) => r.width > 0);
			return boxes.length ? Math.round(boxes[boxes.length - 1].top) : null;
		};
		for (const word of node.data.matchAll(/\S+/g)) {
			if (/[@\/]/.test(word[0])) continue;
			for (const piece of word[0].matchAll(/[^\-\u00ad]+/g)) {
				const start = word.index + piece.index;
				if (lineOf(start) != lineOf(start + piece[0].length - 1)) out.push(word[0]);
			}
		}
	}
	return out; })()`

// TestShopperLoopInFrenchGermanAndSpanishInChromium walks the shopper's
// loop on a 360 px phone whose browser speaks French, German or Spanish:
// the product page's button and form (a refused address and a landline
// in the shopper's language, then an email and a mobile number of a
// country that confirms texts first), the confirmation text and its page,
// the alert email and text after a restock (subject, heading, price as the
// language writes it, link texts), the product page the email's link lands
// on, the unsubscribe page (no word cut mid-word), its Remove and Undo,
// and the email client's one-click unsubscribe, after which the page
// shows the alert removed.
func TestShopperLoopInFrenchGermanAndSpanishInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	shop, sizeM := demoSizeM(t, m)
	ctx := browsertest.NewWithin(t, firstRunBudget)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(360, 800))
	page := demoShopPage(t, m.URL())
	for _, s := range shopperLanguages {
		t.Run("sign up/"+s.lang, func(t *testing.T) { signUpInLanguage(t, ctx, m, shop, page, s) })
	}
	// Each shopper also waits for the Trail Runner in 43, sold out, so that
	// the unsubscribe page has an alert still active to remove and restore.
	setDemoStock(t, m, shop, "runner-43", 0)
	runner, err := m.DB.FindVariant(context.Background(), shop.ID, "runner-43")
	noErr(t, err)
	for _, s := range shopperLanguages {
		_, _, err := m.DB.CreateSubscription(context.Background(), stockbell.SubscriptionCreate{ShopID: shop.ID, VariantID: runner.ID,
			Email: s.email, Channels: stockbell.Channels{stockbell.ChannelEmail}, Locale: s.lang, Source: "snippet"})
		noErr(t, err)
	}
	// The flow texts the shopper too, at once after the email.
	flow, err := m.DB.FindFlow(context.Background(), shop.ID)
	noErr(t, err)
	flow.Steps = append(flow.Steps[:1], stockbell.FlowStep{Channel: stockbell.ChannelSMS})
	noErr(t, m.DB.UpdateFlow(context.Background(), flow))
	setDemoStock(t, m, shop, sizeM.PlatformID, 10)
	for _, s := range shopperLanguages {
		t.Run("alert/"+s.lang, func(t *testing.T) { readAlertInLanguage(t, ctx, m, shop, s) })
	}
}

// setDemoStock sets a demo variant's stock as a platform's stock change would.
func setDemoStock(t *testing.T, m *Main, shop *stockbell.Shop, variant string, available int) {
	t.Helper()
	_, err := m.DB.ApplyStockChange(context.Background(), stockbell.StockChange{ShopID: shop.ID, VariantPlatformID: variant,
		LocationID: demo.Location, Available: available, At: time.Now(), Read: &stockbell.StockRead{}, Source: "demo:" + demo.TopicRestock})
	noErr(t, err)
}

// signUpInLanguage signs the shopper up on the product page, refused
// first, and confirms the text subscription from the confirmation's link.
func signUpInLanguage(t *testing.T, ctx context.Context, m *Main, shop *stockbell.Shop, page string, s shopperLanguage) {
	speak(t, ctx, s.acceptLanguage)
	browsertest.Open(t, ctx, page)
	waitForServer(t, ctx, `shown(button())`)
	if got := browsertest.Eval[string](t, ctx, `button().textContent`); got != s.button {
		t.Errorf("the button reads %q, want %q", got, s.button)
	}
	browsertest.Click(t, ctx, `button()`)
	browsertest.WaitFor(t, ctx, `dialog() && dialog().open`)
	if got, _ := submitRefused(t, ctx, "shopper@localhost", "", 1); got != s.badEmail {
		t.Errorf("a bad address is refused with %q, want %q", got, s.badEmail)
	}
	if got, _ := submitRefused(t, ctx, "", "+33 1 42 68 53 00", 2); got != s.landline {
		t.Errorf("a landline is refused with %q, want %q", got, s.landline)
	}
	browsertest.Eval[any](t, ctx, fmt.Sprintf(`(() => { field("email").value = %q; field("phone").value = %q;
		field("sms_consent").checked = true; form().querySelector("button[type=submit]").click(); })()`, s.email, s.phone))
	waitForServer(t, ctx, `events("subscribed").length == 1`)
	if got := browsertest.Eval[string](t, ctx, `status().textContent`); !strings.Contains(got, s.checkPhone) {
		t.Errorf("after signing up the form says %q, want it to say %q", got, s.checkPhone)
	}

	request := confirmationText(t, m, shop, s.e164)
	if !strings.HasPrefix(request, s.confirmSMS) {
		t.Errorf("the confirmation text reads %q, want it to start %q", request, s.confirmSMS)
	}
	link := regexp.MustCompile(`/confirm/[A-Za-z0-9_-]+`).FindString(request)
	browse(t, ctx, m.URL()+link, "form button")
	wantLang(t, ctx, "confirmation", s.lang)
	if cut := browsertest.Eval[[]string](t, ctx, wordsBrokenMidWord); len(cut) > 0 {
		t.Errorf("at 360 px the confirmation page cuts %q mid-word", cut)
	}
	if got := text(t, ctx, "h1"); got != s.confirmTitle {
		t.Errorf("the confirmation page's title is %q, want %q", got, s.confirmTitle)
	}
	clickAndWait(t, ctx, "form button", ".done")
	if got := text(t, ctx, ".done"); got != s.confirmed {
		t.Errorf("once confirmed the page says %q, want %q", got, s.confirmed)
	}
	if cut := browsertest.Eval[[]string](t, ctx, wordsBrokenMidWord); len(cut) > 0 {
		t.Errorf("at 360 px the confirmed page cuts %q mid-word", cut)
	}
}

// alertMessages waits for the restock alert's email and text to the shopper.
func alertMessages(t *testing.T, m *Main, shop *stockbell.Shop, s shopperLanguage) (email, sms stockbell.OutboxMessage) {
	t.Helper()
	eventually(t, m, "the alert email and text to "+s.email, func() bool {
		msgs, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
		for _, msg := range msgs {
			if err != nil || msg.MessageID == nil {
				continue
			}
			switch msg.Recipient {
			case s.email:
				email = *msg
			case s.e164:
				sms = *msg
			}
		}
		return email.ID != 0 && sms.ID != 0
	})
	return email, sms
}

// readAlertInLanguage reads the alert email and text, follows the email's
// product link, and walks the unsubscribe page, its Undo and the one-click
// unsubscribe.
func readAlertInLanguage(t *testing.T, ctx context.Context, m *Main, shop *stockbell.Shop, s shopperLanguage) {
	speak(t, ctx, s.acceptLanguage)
	email, sms := alertMessages(t, m, shop, s)
	if email.Subject != s.subject {
		t.Errorf("the alert's subject is %q, want %q", email.Subject, s.subject)
	}
	for _, want := range []string{s.heading, s.price, s.buy, s.unsubscribe} {
		if !strings.Contains(email.Text, want) {
			t.Errorf("the alert email lacks %q:\n%s", want, email.Text)
		}
	}
	if !strings.HasPrefix(sms.Text, s.sms) || strings.ContainsAny(sms.Text, "\u00a0\u202f") {
		t.Errorf("the alert text reads %q, want it to start %q, without a no-break space", sms.Text, s.sms)
	}

	product := regexp.MustCompile(`https?://\S+sb_click=\S+`).FindString(email.Text)
	landing, err := url.Parse(product)
	noErr(t, err)
	browse(t, ctx, m.URL()+landing.RequestURI(), "[data-stockbell-variant]")
	if status := clickReported(t, ctx); status != http.StatusCreated {
		t.Errorf("the landing page's click report was answered %d, want 201", status)
	}

	unsubscribe := regexp.MustCompile(`/unsubscribe/[A-Za-z0-9_-]+`).FindString(email.Text)
	browse(t, ctx, m.URL()+unsubscribe, "li form button")
	wantLang(t, ctx, "unsubscribe", s.lang)
	if got := strings.ReplaceAll(text(t, ctx, "h1"), "\u00ad", ""); got != s.pageTitle {
		t.Errorf("the unsubscribe page's title is %q, want %q", got, s.pageTitle)
	}
	if cut := browsertest.Eval[[]string](t, ctx, wordsBrokenMidWord); len(cut) > 0 {
		browsertest.Screenshot(t, ctx, "unsubscribe-"+s.lang+"-360px")
		t.Errorf("at 360 px the unsubscribe page cuts %q mid-word", cut)
	}
	clickAndWait(t, ctx, `li button[aria-label*="Trail Runner"]`, "form.undo button")
	if got := text(t, ctx, ".done"); !strings.HasPrefix(got, s.removed) {
		t.Errorf("after Remove the page says %q, want %q", got, s.removed)
	}
	if cut := browsertest.Eval[[]string](t, ctx, wordsBrokenMidWord); len(cut) > 0 {
		t.Errorf("at 360 px the page after Remove cuts %q mid-word", cut)
	}
	clickAndWait(t, ctx, "form.undo button", "ul.undone")
	if got := text(t, ctx, "ul.undone"); !strings.Contains(got, "Trail Runner (43)") || !strings.Contains(got, s.restored) {
		t.Errorf("after Undo the page says %q, want the Trail Runner %s", got, s.restored)
	}

	// The mail client's one-click unsubscribe (RFC 8058) ends the alert
	// the email was about; the page then shows it removed.
	resp, err := http.PostForm(m.URL()+unsubscribe, url.Values{"List-Unsubscribe": {"One-Click"}})
	noErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the one-click unsubscribe was answered %d", resp.StatusCode)
	}
	browse(t, ctx, m.URL()+unsubscribe, "main ul")
	sweater := browsertest.Eval[string](t, ctx, `[...document.querySelectorAll("main > ul > li")].find((li) => li.textContent.includes("Alpine Wool Sweater")).innerText`)
	if !strings.Contains(sweater, s.inactive) {
		t.Errorf("after the one-click unsubscribe the sweater's alert reads %q, want it %s", sweater, s.inactive)
	}
}
