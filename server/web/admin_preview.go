package web

import (
	"context"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/contact"
)

// testSendLimit bounds the test messages one shop sends (per replica).
var testSendLimit = RateLimit{Events: 10, Per: time.Hour}

// previewContent is what a preview or a test renders: the step with the
// shop's most wanted variant (or any, or an example) and an example
// subscriber of the locale.
func (a *Admin) previewContent(ctx context.Context, s *AdminSession, flow *stockbell.Flow, n int, locale, to string) (stockbell.MessageContent, error) {
	if n < 1 || n > len(flow.Steps) {
		return stockbell.MessageContent{}, stockbell.Errorf(stockbell.ENOTFOUND, "The flow has no message %d.", n)
	}
	step := flow.Steps[n-1]
	sub := &stockbell.Subscription{ShopID: s.ShopID, Email: "shopper@example.com", Phone: "+15555550123", Locale: locale,
		Channels: stockbell.Channels{stockbell.ChannelEmail, stockbell.ChannelSMS}, Status: stockbell.SubscriptionNotified}
	recipient := sub.Email
	if step.Channel == stockbell.ChannelSMS {
		recipient = sub.Phone
	}
	if to != "" {
		recipient = to
	}
	variant, err := a.sampleVariant(ctx, s)
	if err != nil {
		return stockbell.MessageContent{}, err
	}
	return stockbell.MessageContent{Shop: s.Shop, Variant: variant, Subscription: sub, Step: step,
		Message: &stockbell.Message{ShopID: s.ShopID, Step: n, Channel: step.Channel, Recipient: recipient}}, nil
}

// sampleVariant is the shop's most wanted variant, else its first, else an
// example product.
func (a *Admin) sampleVariant(ctx context.Context, s *AdminSession) (*stockbell.VariantWithProduct, error) {
	demand, _, err := a.Subscribers.FindDemand(ctx, stockbell.DemandFilter{ShopID: s.ShopID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(demand) > 0 {
		return &demand[0].Variant, nil
	}
	variants, _, err := a.Catalog.FindVariants(ctx, stockbell.VariantFilter{ShopID: &s.ShopID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(variants) > 0 {
		return variants[0], nil
	}
	example := &stockbell.VariantWithProduct{ProductTitle: "Example product", Published: true}
	example.Title, example.Price, example.ShopID = "Blue / M", "49.00", s.ShopID
	return example, nil
}

// checkTexts renders every step in every language it has texts for, so a
// template that does not parse or run is refused when saving, naming its
// field, rather than failing when the restock comes.
func (a *Admin) checkTexts(r *http.Request, s *AdminSession, flow *stockbell.Flow) error {
	if a.Renderer == nil {
		return nil
	}
	for i, step := range flow.Steps {
		locales := []string{""}
		for code := range step.Translations {
			locales = append(locales, code)
		}
		for _, locale := range locales {
			content, err := a.previewContent(r.Context(), s, flow, i+1, locale, "")
			if err != nil {
				return err
			}
			if _, err := a.Renderer.Render(r.Context(), content); err != nil {
				field := stepField(i+1, stockbell.ErrorField(err))
				if locale != "" {
					field = stepField(i+1, locale+"_"+stockbell.ErrorField(err))
				}
				return &stockbell.Error{Code: stockbell.EINVALID, Field: field, Message: "Message " + strconv.Itoa(i+1) + languageSuffix(locale) + ": " + stockbell.ErrorMessage(err)}
			}
		}
	}
	return nil
}

func languageSuffix(code string) string {
	if code == "" {
		return ""
	}
	return " (" + code + ")"
}

// flowPreview renders one message of the flow as the form stands (its
// fields in the query; the saved flow without them): the email's HTML in a
// sandbox, or with format=text its subject and text, or the SMS.
func (a *Admin) flowPreview(w http.ResponseWriter, r *http.Request, s *AdminSession) {
	saved, err := a.Flows.FindFlow(r.Context(), s.ShopID)
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	q := r.URL.Query()
	flow := saved
	if q.Has("s1_channel") {
		if flow, err = parseFlowForm(q, saved); err != nil {
			writePreviewText(w, http.StatusOK, "The preview is waiting for a valid value: "+stockbell.ErrorMessage(err))
			return
		}
	}
	n, _ := strconv.Atoi(q.Get("step"))
	content, err := a.previewContent(r.Context(), s, flow, n, q.Get(stepField(n, "preview")), "")
	if err != nil {
		a.Fail(w, r, s, err)
		return
	}
	out, err := a.Renderer.Render(r.Context(), content)
	if err != nil {
		writePreviewText(w, http.StatusOK, "This message cannot be rendered yet: "+stockbell.ErrorMessage(err))
		return
	}
	switch {
	case out.Channel == stockbell.ChannelSMS:
		writePreviewText(w, http.StatusOK, out.Text)
	case q.Get("format") == "text":
		writePreviewText(w, http.StatusOK, "Subject: "+out.Subject+"\n\n"+out.Text)
	default:
		writeSandboxedHTML(w, s, out.HTML)
	}
}

func writePreviewText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write([]byte(text))
}

// sendTest sends one message of the flow, as the form stands, to the
// address (or phone number) given, through the server's sender: in
// development it lands in the outbox.
func (a *Admin) sendTest(w http.ResponseWriter, r *http.Request, s *AdminSession, flow *stockbell.Flow, action string) {
	n, _ := strconv.Atoi(strings.TrimPrefix(action, "test_"))
	form := newFlowForm(flow)
	form.keepTyped(r.PostForm, samePlace)
	to, err := a.testRecipient(flow, n, form.TestTo)
	if err == nil && !a.testLimiter.Allow(strconv.FormatInt(s.ShopID, 10), a.Clock.Now()) {
		err = stockbell.Errorf(stockbell.ERATELIMITED, "Ten tests an hour at most: try again later.")
	}
	var content stockbell.MessageContent
	if err == nil {
		content, err = a.previewContent(r.Context(), s, flow, n, r.PostFormValue(stepField(n, "preview")), to)
	}
	var out stockbell.OutboundMessage
	if err == nil {
		out, err = a.Renderer.Render(r.Context(), content)
	}
	if err == nil {
		if out.Subject != "" {
			out.Subject = "[Test] " + out.Subject
		}
		out.Test = true
		_, err = a.Sender.Send(r.Context(), out)
	}
	if err != nil {
		a.Logger.Info("test message not sent", "shop_id", s.ShopID, "err", err)
		form.Error, form.ErrorField = stockbell.ErrorMessage(err), "test_to" // the banner says "Test not sent"
		a.renderFlow(w, r, s, statusOf(err, nil), form)
		return
	}
	form.Notice = "Test of message " + strconv.Itoa(n) + " sent to " + to + "."
	a.renderFlow(w, r, s, http.StatusOK, form)
}

// testRecipient checks the test's address (an email) or number (an SMS).
func (a *Admin) testRecipient(flow *stockbell.Flow, n int, to string) (string, error) {
	if n < 1 || n > len(flow.Steps) {
		return "", stockbell.Errorf(stockbell.ENOTFOUND, "The flow has no message %d.", n)
	}
	if flow.Steps[n-1].Channel == stockbell.ChannelSMS {
		number, err := contact.NormalizeMobile(to, "")
		if err != nil {
			return "", stockbell.FieldErrorf("test_to", "Message %d is sent by text message. %s", n, stockbell.ErrorMessage(err))
		}
		return number, nil
	}
	if addr, err := mail.ParseAddress(to); err != nil || addr.Address != to {
		return "", stockbell.FieldErrorf("test_to", "Message %d is sent by email. Enter an email address to send its test to.", n)
	}
	return contact.NormalizeEmail(to)
}
