package delivery_test

import (
	"errors"
	"net/http"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// A send fails with stockbell.ErrOutcomeUnknown exactly when the provider
// may have accepted the message: then the retry is a possible repeat. Where
// the provider surely accepted it, the send succeeds; where it surely did
// not, the error is an ordinary transient one.

func wantOutcomeUnknown(t *testing.T, err error, unknown bool) {
	t.Helper()
	wantTransient(t, err)
	if errors.Is(err, stockbell.ErrOutcomeUnknown) != unknown {
		t.Fatalf("error %v: outcome unknown = %v, want %v", err, !unknown, unknown)
	}
}

func TestSMTPConnectionLostAwaitingTheAnswerIsOutcomeUnknown(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.DropAfterData()
	_, err := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone)).Send(ctx, renderEmail(t, "en"))
	wantOutcomeUnknown(t, err, true)
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("the server received %d messages, want 1 (it had it when the connection dropped)", n)
	}
}

func TestSMTPRefusedBeforeTheMessageIsNotOutcomeUnknown(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RefuseSessions(1)
	_, err := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone)).Send(ctx, renderEmail(t, "en"))
	wantOutcomeUnknown(t, err, false)
}

func TestSMTPAcceptedThenResetFailsIsSent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.DropOnReset()
	res, err := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone)).Send(ctx, renderEmail(t, "en"))
	if err != nil || res.ProviderID == "" || len(srv.Messages()) != 1 {
		t.Fatalf("send = %+v, %v with %d received; want sent once (the server accepted it before the RSET failed)", res, err, len(srv.Messages()))
	}
}

func TestTwilioConnectionLostAwaitingTheAnswerIsOutcomeUnknown(t *testing.T) {
	f := startTwilio(t)
	f.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	_, err := f.sender("+15005550006", "").Send(ctx, smsMessage("+15551234567", "Back in stock"))
	wantOutcomeUnknown(t, err, true)
}

func TestTwilioUnreachableIsNotOutcomeUnknown(t *testing.T) {
	f := startTwilio(t)
	sender := f.sender("+15005550006", "")
	f.Close()
	_, err := sender.Send(ctx, smsMessage("+15551234567", "Back in stock"))
	wantOutcomeUnknown(t, err, false)
}

func TestTwilioCreatedWithAGarbledAnswerIsSent(t *testing.T) {
	f := startTwilio(t)
	f.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"sid": "SM`))
	})
	res, err := f.sender("+15005550006", "").Send(ctx, smsMessage("+15551234567", "Back in stock"))
	if err != nil || res.Segments != 1 {
		t.Fatalf("send = %+v, %v; want sent (Twilio answered 201 Created)", res, err)
	}
}
