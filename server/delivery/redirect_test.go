package delivery_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

func TestSMSShortLinkRedirectsAndCountsClicks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		twilio := startTwilio(t)
		w.d.Sender.SMS = twilio.sender("+15005550006", "")
		sub := w.subscribe(t, "B", "", "+15145550123")
		msg := w.message(t, sub, stockbell.ChannelSMS, sub.Phone)
		out, err := w.d.Renderer.Render(ctx, w.content(t, sub, msg))
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.d.Sender.Send(ctx, out)
		if err != nil || res.Segments != 1 {
			t.Fatalf("send: %+v, %v", res, err)
		}
		body := twilio.requests()[0].Get("Body")
		link := regexp.MustCompile(`https?://\S+/r/[A-Za-z0-9_-]+`).FindString(body)
		if link == "" || !regexp.MustCompile(`Reply STOP to opt out\.$`).MatchString(body) {
			t.Fatalf("SMS body %q lacks the short link or the STOP wording", body)
		}

		// A link preview sees the redirect but is not a click.
		resp, err := noRedirects.Head(link)
		if err != nil || resp.StatusCode != http.StatusFound {
			t.Fatalf("HEAD %s: %v %v", link, err, resp.Status)
		}
		for range 2 {
			resp, err = noRedirects.Get(link)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("GET %s: %s", link, resp.Status)
			}
		}
		target, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		q := target.Query()
		if target.Host != "nord.example" || target.Path != "/products/lamp-B" || q.Get("variant") != "9B" ||
			q.Get("utm_medium") != "sms" || q.Get("utm_source") != "stockbell" || q.Get("utm_campaign") != "back_in_stock" || q.Get("sb_click") == "" {
			t.Fatalf("redirect to %s", target)
		}
		clicks, err := db.CountClicks(ctx, stockbell.ClickFilter{ShopID: &msg.ShopID, MessageID: &msg.ID})
		if err != nil || clicks != 2 {
			t.Fatalf("%d clicks recorded (%v), want 2", clicks, err)
		}

		wantForgedCodesRefused(t, w, msg.ID)
		if clicks, _ := db.CountClicks(ctx, stockbell.ClickFilter{ShopID: &w.shop.ID}); clicks != 2 {
			t.Fatalf("%d clicks after forged codes, want 2", clicks)
		}
	})
}

func TestChannelSenderRoutes(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	twilio := startTwilio(t)
	router := &delivery.ChannelSender{Email: newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone)), SMS: twilio.sender("+15005550006", "")}
	if _, err := router.Send(ctx, renderEmail(t, "en")); err != nil {
		t.Fatal(err)
	}
	if _, err := router.Send(ctx, smsMessage("+15145550123", "hi")); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 1 || len(twilio.requests()) != 1 {
		t.Fatalf("email %d, sms %d; want one each", len(srv.Messages()), len(twilio.requests()))
	}
	_, err := (&delivery.ChannelSender{Email: router.Email}).Send(ctx, smsMessage("+15145550123", "hi"))
	wantCode(t, err, stockbell.EINVALID) // no SMS provider: failed, not retried forever
}

// wantForgedCodesRefused checks that codes not signed for a message get 404.
func wantForgedCodesRefused(t *testing.T, w *wired, messageID int64) {
	t.Helper()
	other, _ := delivery.NewSigner([]byte("another key of thirty-two bytes!"))
	forged := []string{w.public + "/r/AAAAAAAAAA", w.public + "/r/" + newSigner(t).LinkCode(messageID+1000),
		w.public + "/r/" + other.LinkCode(messageID)}
	for _, f := range forged {
		resp, err := noRedirects.Get(f)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", f, resp.Status)
		}
	}
}

// TestShortLinkHEADAnswersAsGET: a link preview (HEAD) gets the status and
// headers a click (GET) would, without counting a click, both while the
// message exists and once it is erased with its subscriber.
func TestShortLinkHEADAnswersAsGET(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		sub := w.subscribe(t, "B", "", "+15145550123")
		msg := w.message(t, sub, stockbell.ChannelSMS, sub.Phone)
		link := w.public + "/r/" + newSigner(t).LinkCode(msg.ID)

		head := fetchLink(t, http.MethodHead, link)
		if clicks, _ := db.CountClicks(ctx, stockbell.ClickFilter{ShopID: &msg.ShopID}); clicks != 0 {
			t.Fatalf("HEAD counted %d clicks, want none", clicks)
		}
		wantSameAnswer(t, head, fetchLink(t, http.MethodGet, link), http.StatusFound)

		if err := db.RedactContact(ctx, stockbell.Contact{ShopID: sub.ShopID, Phone: sub.Phone}); err != nil {
			t.Fatal(err)
		}
		wantSameAnswer(t, fetchLink(t, http.MethodHead, link), fetchLink(t, http.MethodGet, link), http.StatusNotFound)
	})
}

// fetchLink answers method on link without following a redirect.
func fetchLink(t *testing.T, method, link string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// wantSameAnswer fails unless HEAD's answer has GET's status, which is
// want, and the headers a shopper's browser acts on.
func wantSameAnswer(t *testing.T, head, get *http.Response, want int) {
	t.Helper()
	if get.StatusCode != want || head.StatusCode != want {
		t.Fatalf("GET %s, HEAD %s; want %d for both", get.Status, head.Status, want)
	}
	for _, name := range []string{"Location", "Content-Type", "Cache-Control", "Referrer-Policy"} {
		if h, g := head.Header.Get(name), get.Header.Get(name); h != g {
			t.Errorf("%s: HEAD %q, GET %q", name, h, g)
		}
	}
}

// TestDeadShortLinkPageSaysWhyInShoppersLanguage: a forged link's page
// says it is not valid, an erased message's says it is no longer
// available (not "expired"), each in the language the browser asks for.
func TestDeadShortLinkPageSaysWhyInShoppersLanguage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWired(t, db)
		sub := w.subscribe(t, "B", "", "+15145550123")
		msg := w.message(t, sub, stockbell.ChannelSMS, sub.Phone)
		erased := w.public + "/r/" + newSigner(t).LinkCode(msg.ID)
		if err := db.RedactContact(ctx, stockbell.Contact{ShopID: sub.ShopID, Phone: sub.Phone}); err != nil {
			t.Fatal(err)
		}
		forged := w.public + "/r/AAAAAAAAAA"
		want := map[string][2]string{ // language: forged link's sentence, erased message's
			"en": {"This link is not valid.", "This link is no longer available."},
			"fr": {"Ce lien n'est pas valide.", "Ce lien n'est plus disponible."},
			"de": {"Dieser Link ist ungültig.", "Dieser Link ist nicht mehr verfügbar."},
			"es": {"Este enlace no es válido.", "Este enlace ya no está disponible."},
		}
		for lang, sentences := range want {
			for i, link := range []string{forged, erased} {
				body := deadLinkPage(t, link, lang+"-XX,en;q=0.5")
				if !strings.Contains(body, `<html lang="`+lang+`">`) || !strings.Contains(body, sentences[i]) ||
					strings.Contains(body, "xpired") {
					t.Errorf("%s page of %s lacks %q in its language:\n%s", lang, link, sentences[i], body)
				}
			}
		}
	})
}

// deadLinkPage GETs a link that must answer 404 and returns its page,
// unescaped.
func deadLinkPage(t *testing.T, link, acceptLanguage string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET %s: %s %v, want 404", link, resp.Status, err)
	}
	return html.UnescapeString(string(body))
}
