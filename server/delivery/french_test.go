package delivery

import (
	"context"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// nbsp is the non-breaking space French writes before a colon or "!".
const nbsp = "\u00a0"

// unspacedFrenchPunctuation is a colon or "!" without the non-breaking
// space before it (URLs, whose "https:" is no punctuation, taken out).
var unspacedFrenchPunctuation = regexp.MustCompile(`(?:^|[^\x{a0}])[:!]`)

// TestFrenchDefaultTextsSpaceTheColon pins the French default texts:
// emails (subject, text and HTML parts; restock alert and confirmation)
// put a non-breaking space before ":" and "!", which a line cannot break
// off; texts put an ordinary space there, which keeps them in GSM-7 (a
// non-breaking space would double the segments billed).
func TestFrenchDefaultTextsSpaceTheColon(t *testing.T) {
	signer, err := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := NewTemplates(NewLinks("https://bell.test", signer), StopNorthAmerica)
	alert := shirtAlert("fr", "")
	alert.Shop.Currency = "EUR"
	alert.Message.Step = 2 // a reminder, for its subject
	email := render(t, tmpl, alert)
	confirmation, _ := confirmationMessage(shirtConfirmation("fr"), "https://bell.test/confirm/x")
	wantFrench(t, "reminder subject", email.Subject, "Toujours disponible"+nbsp+": Linen shirt")
	wantFrench(t, "alert text", email.Text, "Bonne nouvelle"+nbsp+": l'article est de retour"+nbsp+"!",
		"Prix"+nbsp+": 49,00"+nbsp+"€", "Acheter maintenant"+nbsp+": https://", "Se désabonner"+nbsp+": https://bell.test/unsubscribe/")
	wantContains(t, "alert HTML", email.HTML, "Bonne nouvelle"+nbsp+": l&#39;article est de retour"+nbsp+"!", "Prix"+nbsp+": 49,00"+nbsp+"€")
	wantFrench(t, "confirmation text", confirmation.Text, "Confirmer mon alerte"+nbsp+": https://bell.test/confirm/x",
		"ignorez cet e-mail"+nbsp+": vous")
	wantContains(t, "confirmation HTML", confirmation.HTML, "ignorez cet e-mail"+nbsp+": vous")

	alert.Message.Channel, alert.Message.Recipient, alert.Step.Channel = stockbell.ChannelSMS, "+33612345678", stockbell.ChannelSMS
	alert.Subscription.Phone = alert.Message.Recipient
	sms := render(t, tmpl, alert)
	wantContains(t, "alert SMS", sms.Text, "Atelier Nord : Linen shirt (M / Blue) est de nouveau en stock.")
	if _, gsm := Segments(sms.Text); !gsm || strings.Contains(sms.Text, nbsp) {
		t.Errorf("the French alert SMS is not GSM-7: %q", sms.Text)
	}
	request := shirtConfirmation("fr")
	request.Confirmation.Channel = stockbell.ChannelSMS
	text, _ := confirmationMessage(request, "https://bell.test/confirm/x")
	wantContains(t, "confirmation SMS", text.Text, "Atelier Nord : confirmez")
}

func render(t *testing.T, tmpl *Templates, c stockbell.MessageContent) stockbell.OutboundMessage {
	t.Helper()
	out, err := tmpl.Render(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantFrench fails unless text has each of wants and no colon or "!"
// without a non-breaking space before it.
func wantFrench(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	wantContains(t, what, text, wants...)
	prose := regexp.MustCompile(`https?://\S+`).ReplaceAllString(text, "")
	if bad := unspacedFrenchPunctuation.FindAllString(prose, -1); bad != nil {
		t.Errorf("%s: %q before a colon or \"!\", want a non-breaking space:\n%s", what, bad, text)
	}
}

func wantContains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, text)
		}
	}
}
