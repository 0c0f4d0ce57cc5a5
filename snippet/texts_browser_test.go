package snippet

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stockbell/stockbell/snippet/browsertest"
)

// textKeyChecks says, for each text key docs/snippet.md lists, where a
// shopper meets it: an expression giving the text shown once the form is
// open, or the entry to submit (email, phone with its consent) whose
// answer or refusal shows it on the status line.
var textKeyChecks = map[string]struct{ shown, email, phone string }{
	"title":      {shown: `form().querySelector("h2").textContent`},
	"email":      {shown: `form().querySelector("label[for=e]").textContent`},
	"phone":      {shown: `form().querySelector("label[for=n]").textContent`},
	"phone-hint": {shown: `form().querySelector("#nh").textContent`},
	"country":    {shown: `field("country").getAttribute("aria-label")`},
	"sms":        {shown: `field("sms_consent").nextElementSibling.textContent`},
	"marketing":  {shown: `field("marketing_consent").nextElementSibling.textContent`},
	"submit":     {shown: `form().querySelector("button[type=submit]").textContent`},
	"close":      {shown: `form().querySelector("button.x").getAttribute("aria-label")`},
	// The form's own checks, before any request.
	"missing":             {},
	"invalid-email":       {email: "not-an-address"},
	"invalid-sms-consent": {phone: "0612345678"},
	// The server's answers and refusals (the stand-in's, and textKeyAnswers').
	"sending":         {email: "slow@example.com"},
	"done":            {email: "shopper@example.com"},
	"done-sms":        {phone: "+33612345678 consent"},
	"already":         {email: "taken@example.com"},
	"confirm-email":   {email: "confirm-email@example.com"},
	"confirm-sms":     {phone: "+4915112345678 consent"},
	"confirm-both":    {email: "confirm-both@example.com"},
	"rate-limited":    {email: "limited@example.com"},
	"error":           {email: "broken@example.com"},
	"invalid-phone":   {phone: "+33142345678 consent"},
	"invalid-variant": {email: "restocked@example.com"},
}

// textKeyAnswers answers, before the stand-in, the subscriptions whose
// answers it does not give: a proxy's own error page (no server error: the
// generic text), a landline refused, a variant back in stock, and one held
// until release is closed (the form says it is sending).
func textKeyAnswers(s *storefront, release chan struct{}) http.Handler {
	next := s.app.Config.Handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/storefront/v1/subscriptions" {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		switch {
		case strings.Contains(string(body), "broken@example.com"):
			http.Error(w, "Bad gateway", http.StatusBadGateway)
		case strings.Contains(string(body), "+33142345678"):
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":{"code":"invalid","message":"A landline.","field":"phone"}}`)
		case strings.Contains(string(body), "restocked@example.com"):
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":{"code":"invalid","message":"This variant is in stock.","field":"variant_id"}}`)
		case strings.Contains(string(body), "slow@example.com"):
			<-release
			next.ServeHTTP(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// Every text key docs/snippet.md lists, given as the data-text-KEY
// attribute its kebab case names, is the text the shopper meets where
// that key is used: the button, the notice when the form's files could not
// be loaded, each of the form's labels, and each state and refusal.
func TestEveryDocumentedTextKeyGivenAsAnAttribute(t *testing.T) {
	doc := between(t, readFile(t, "../docs/snippet.md"), "Override any text:", "Example:")
	keys := matches("`([a-z-]+)`", doc)
	attrs := `data-channels="both" data-marketing="true" data-country="FR"`
	for _, key := range keys {
		attrs += fmt.Sprintf(` data-text-%s="‹%s›"`, key, key)
	}
	s := newStorefront(t, attrs)
	release := make(chan struct{})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	s.app.Config.Handler = textKeyAnswers(s, release)
	ctx := newBrowser(t)
	checked := []string{"button", "retry"}

	s.failLazyFiles(true)
	open(t, ctx, s.shop.URL+"/pages/custom")
	waitFor(t, ctx, `shown(button())`)
	if got := eval[string](t, ctx, `button().textContent`); got != "‹button›" {
		t.Errorf("button: %q", got)
	}
	click(t, ctx, `button()`)
	waitFor(t, ctx, `host().shadowRoot.querySelector("[role=status]").textContent == "‹retry›"`)
	s.failLazyFiles(false)

	for key, check := range textKeyChecks {
		checked = append(checked, key)
		eval[chromedp.Void](t, ctx, `Stockbell.open()`)
		waitFor(t, ctx, `dialog() && dialog().open && field("email") && status().textContent == ""`)
		if check.shown != "" {
			if got := eval[string](t, ctx, check.shown); got != "‹"+key+"›" {
				t.Errorf("%s: shown %q", key, got)
			}
			continue
		}
		phone, consent := strings.CutSuffix(check.phone, " consent")
		eval[chromedp.Void](t, ctx, fmt.Sprintf(`(field("email").value = %q, field("phone").value = %q,
			field("sms_consent").checked = %t, form().querySelector("form").requestSubmit())`, check.email, phone, consent))
		if key == "sending" {
			waitFor(t, ctx, `status().textContent != ""`)
			if got := eval[string](t, ctx, `status().textContent`); got != "‹sending›" {
				t.Errorf("sending: status %q", got)
			}
			close(release)
			waitFor(t, ctx, `status().textContent != "‹sending›"`)
			continue
		}
		if err := browsertest.Poll(ctx, browsertest.JS(`status().textContent == "‹`+key+`›"`), 5*time.Second, 0); err != nil {
			t.Errorf("%s: status %q", key, eval[string](t, ctx, `status().textContent`))
		}
	}
	slices.Sort(checked)
	if !slices.Equal(checked, keys) {
		t.Errorf("checked the keys %q; docs/snippet.md lists %q", checked, keys)
	}
}
