package main

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// optinShop serves the Dawn-like tee page with the snippet offering email
// and SMS.
func optinShop(t *testing.T, appURL string) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/products/tee.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": 1, "handle": "tee", "title": "Tee", "available": true, "variants": teeVariants})
	})
	mux.HandleFunc("/products/tee", func(w http.ResponseWriter, r *http.Request) {
		js, _ := json.Marshal(teeVariants)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err := dawnPage.Execute(w, map[string]any{"App": appURL, "Attrs": template.HTMLAttr(`data-channels="email,sms" data-country="US"`),
			"Title": "Tee", "Variants": teeVariants, "VariantsJSON": template.JS(js), "Root": "/"})
		if err != nil {
			t.Error(err)
		}
	})
	shop := httptest.NewServer(mux)
	t.Cleanup(shop.Close)
	return shop
}

// TestShopperSeesCheckYourPhoneInChromium: with email double opt-in on, a
// shopper who leaves an email and a US mobile number is told to check
// their phone and email; the confirmation text carries a link whose page
// confirms nothing until its button is pressed.
func TestShopperSeesCheckYourPhoneInChromium(t *testing.T) {
	m := startServer(t, testEnv(t, nil))
	shop := seedTee(t, m)
	on := true
	if _, err := m.DB.UpdateSettings(context.Background(), shop.ID, stockbell.SettingsUpdate{EmailDoubleOptIn: &on}); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t)
	browsertest.Open(t, ctx, optinShop(t, m.URL()).URL+"/products/tee")
	browsertest.Eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("Option-1"); s.value = "`+teeSoldOut+`";
		s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	browsertest.WaitFor(t, ctx, `shown(button())`)
	browsertest.Click(t, ctx, `button()`)
	browsertest.WaitFor(t, ctx, `dialog() && dialog().open && field("phone")`)
	browsertest.Eval[chromedp.Void](t, ctx, `(() => { field("email").value = "shopper@example.com"; field("phone").value = "201 555 0123";
		field("sms_consent").checked = true; })()`)
	browsertest.Click(t, ctx, `form().querySelector("button[type=submit]")`)
	browsertest.WaitFor(t, ctx, `events("subscribed").length == 1`)
	browsertest.Screenshot(t, ctx, "e2e-check-your-phone")
	if got := browsertest.Eval[string](t, ctx, `status().textContent`); !strings.Contains(got, "Check your phone and email") {
		t.Fatalf("the shopper sees %q, want the check-your-phone-and-email state", got)
	}
	subs, _, err := m.DB.FindSubscriptions(context.Background(), stockbell.SubscriptionFilter{ShopID: &shop.ID})
	if err != nil || len(subs) != 1 || subs[0].Status != stockbell.SubscriptionPending || subs[0].Phone != "+12015550123" {
		t.Fatalf("stored %+v (%v), want one pending subscription", subs, err)
	}

	text := confirmationText(t, m, shop, "+12015550123")
	link := regexp.MustCompile(`https?://\S+/confirm/[A-Za-z0-9_-]+`).FindString(text)
	if link == "" || !strings.Contains(text, "Reply YES") {
		t.Fatalf("confirmation text %q", text)
	}
	// The link starts with the public URL; this server listens on a port
	// of its own choosing.
	browsertest.Do(t, ctx, chromedp.Navigate(m.URL()+link[strings.Index(link, "/confirm/"):]), chromedp.WaitVisible("form button"))
	browsertest.Screenshot(t, ctx, "e2e-confirmation-page")
	if got := subscriptionStatus(t, m, shop.ID, subs[0].ID); got != stockbell.SubscriptionPending {
		t.Fatalf("opening the link made the subscription %s, want pending", got)
	}
	browsertest.Eval[chromedp.Void](t, ctx, `document.querySelector("form button").click()`)
	eventually(t, m, "the confirmed page", func() bool { // the click navigates: evaluation fails until the answer loads
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector(".done")`))
		return err == nil && shown
	})
	browsertest.Screenshot(t, ctx, "e2e-confirmed")
	done := browsertest.Eval[string](t, ctx, `document.querySelector(".done").textContent`)
	if !strings.Contains(done, "Confirmed") {
		t.Fatalf("after the button the page says %q", done)
	}
	if got := subscriptionStatus(t, m, shop.ID, subs[0].ID); got != stockbell.SubscriptionQueued {
		t.Fatalf("after the button the subscription is %s, want queued (by SMS; email still awaiting)", got)
	}
	series := scrape(t, m)
	for name, want := range map[string]float64{`stockbell_confirmations_requested_total{channel="sms"}`: 1,
		`stockbell_confirmations_total{channel="sms",method="link"}`:   1,
		`stockbell_confirmations_total{channel="email",method="link"}`: 0} {
		if series[name] != want {
			t.Errorf("%s = %v, want %v", name, series[name], want)
		}
	}
}

// confirmationText waits for the development sender's confirmation text to a number.
func confirmationText(t *testing.T, m *Main, shop *stockbell.Shop, phone string) string {
	t.Helper()
	var text string
	eventually(t, m, "the confirmation text", func() bool {
		msgs, _, err := m.DB.FindOutboxMessages(context.Background(), stockbell.OutboxFilter{ShopID: &shop.ID})
		for _, msg := range msgs {
			if err == nil && msg.Channel == stockbell.ChannelSMS && msg.Recipient == phone {
				text = msg.Text
			}
		}
		return text != ""
	})
	return text
}

func subscriptionStatus(t *testing.T, m *Main, shopID, id int64) stockbell.SubscriptionStatus {
	t.Helper()
	sub, err := m.DB.FindSubscriptionByID(context.Background(), shopID, id)
	if err != nil {
		t.Fatal(err)
	}
	return sub.Status
}
