package smtptest_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// message is a small email whose Message-ID is id.
func message(id string) string {
	return "From: a@example.com\r\nMessage-ID: " + id + "\r\nSubject: hi\r\n\r\nHello.\r\n"
}

// dial opens a client session on listener i, over the server's TLS when it
// has one.
func dial(t *testing.T, s *smtptest.Server, security smtptest.Security, i int) *smtp.Client {
	t.Helper()
	var c *smtp.Client
	var err error
	switch security {
	case smtptest.Plain:
		c, err = smtp.Dial(s.Addr(i))
	case smtptest.StartTLS:
		c, err = smtp.DialStartTLS(s.Addr(i), s.ClientTLS())
	case smtptest.ImplicitTLS:
		c, err = smtp.DialTLS(s.Addr(i), s.ClientTLS())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// wantCode fails unless err is an SMTP reply with the code.
func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	if smtpErr, ok := errors.AsType[*smtp.SMTPError](err); !ok || smtpErr.Code != code {
		t.Fatalf("error %v, want an SMTP %d", err, code)
	}
}

func TestRecordsEachMessageAndItsListener(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{Listeners: 2})
	before := time.Now()
	if err := dial(t, s, smtptest.Plain, 1).SendMail("bell@example.com", []string{"ada@example.com", "bo@example.com"},
		strings.NewReader(message("<one@test>"))); err != nil {
		t.Fatal(err)
	}
	if err := dial(t, s, smtptest.Plain, 0).SendMail("bell@example.com", []string{"cy@example.com"},
		strings.NewReader(message("<two@test>"))); err != nil {
		t.Fatal(err)
	}
	got := s.Messages()
	if len(got) != 2 || s.Count() != 2 || s.Sessions() != 2 || s.RcptCommands() != 3 {
		t.Fatalf("%d messages (count %d) over %d sessions after %d RCPT, want 2 over 2 after 3", len(got), s.Count(), s.Sessions(), s.RcptCommands())
	}
	first := got[0]
	if first.Listener != 1 || first.From != "bell@example.com" || !slices.Equal(first.To, []string{"ada@example.com", "bo@example.com"}) ||
		first.MessageID != "<one@test>" || first.At.Before(before) || got[1].Listener != 0 || got[1].MessageID != "<two@test>" {
		t.Fatalf("recorded %+v", got)
	}
	if subject := first.Parse(t).Header.Get("Subject"); subject != "hi" {
		t.Fatalf("Subject = %q", subject)
	}
}

func TestCountOnlyKeepsNoMessage(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{CountOnly: true})
	c := dial(t, s, smtptest.Plain, 0)
	for range 3 {
		if err := c.SendMail("bell@example.com", []string{"ada@example.com"}, strings.NewReader(message("<x@test>"))); err != nil {
			t.Fatal(err)
		}
	}
	if s.Count() != 3 || len(s.Messages()) != 0 {
		t.Fatalf("count %d, %d kept; want 3 and none", s.Count(), len(s.Messages()))
	}
}

func TestRefusesAMessageWhoseHeadersDoNotParse(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	err := dial(t, s, smtptest.Plain, 0).SendMail("bell@example.com", []string{"ada@example.com"}, strings.NewReader("no header\r\n"))
	if err == nil || s.Count() != 0 {
		t.Fatalf("error %v with %d accepted, want a refusal", err, s.Count())
	}
}

func TestRefusesRecipients(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	s.RefuseRecipient("gone@example.com", smtptest.Reply{Code: 550, Enhanced: [3]int{5, 1, 1}, Text: "No such user here"})
	c := dial(t, s, smtptest.Plain, 0)
	if err := c.Mail("bell@example.com", nil); err != nil {
		t.Fatal(err)
	}
	err := c.Rcpt("gone@example.com", nil)
	wantCode(t, err, 550)
	if smtpErr, _ := errors.AsType[*smtp.SMTPError](err); smtpErr.EnhancedCode != (smtp.EnhancedCode{5, 1, 1}) || smtpErr.Message != "No such user here" {
		t.Fatalf("refused with %v", err)
	}
	if err := c.Rcpt("ada@example.com", nil); err != nil {
		t.Fatalf("another recipient: %v", err)
	}
	s.RefuseRecipient(smtptest.AnyRecipient, smtptest.Reply{Code: 451, Text: "busy"})
	wantCode(t, c.Rcpt("bo@example.com", nil), 451)
	s.AcceptRecipient(smtptest.AnyRecipient)
	if err := c.Rcpt("bo@example.com", nil); err != nil || s.RcptCommands() != 4 {
		t.Fatalf("after AcceptRecipient: %v, %d RCPT", err, s.RcptCommands())
	}
}

func TestRefusesSessions(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	s.RefuseSessions(1)
	wantCode(t, dial(t, s, smtptest.Plain, 0).Hello("client.test"), 451)
	if err := dial(t, s, smtptest.Plain, 0).Hello("client.test"); err != nil || s.Sessions() != 1 {
		t.Fatalf("the next connection: %v, %d sessions; want 1", err, s.Sessions())
	}
}

func TestLoginOverTLS(t *testing.T) {
	for _, security := range []smtptest.Security{smtptest.StartTLS, smtptest.ImplicitTLS} {
		s := smtptest.Start(t, smtptest.Options{Security: security, Username: "bell", Password: "s3cret"})
		wantCode(t, dial(t, s, security, 0).Auth(sasl.NewPlainClient("", "bell", "wrong")), 535)
		if err := dial(t, s, security, 0).Auth(sasl.NewPlainClient("", "bell", "s3cret")); err != nil {
			t.Fatalf("security %d: %v", security, err)
		}
		if logins := s.Logins(); !slices.Equal(logins, []string{"bell:wrong", "bell:s3cret"}) {
			t.Fatalf("security %d: logins %v", security, logins)
		}
	}
}

func TestSlowMail(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{Listeners: 2})
	s.SlowMail(1, 200*time.Millisecond)
	for i, want := range []time.Duration{0, 200 * time.Millisecond} {
		c := dial(t, s, smtptest.Plain, i)
		if err := c.Hello("client.test"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := c.Mail("bell@example.com", nil); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < want || took > want+150*time.Millisecond {
			t.Fatalf("listener %d answered MAIL after %s, want %s", i, took, want)
		}
	}
}

func TestCloseAtMail(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	s.CloseAtMail(1)
	c := dial(t, s, smtptest.Plain, 0)
	wantCode(t, c.Mail("bell@example.com", nil), 421)
	if err := c.Mail("bell@example.com", nil); err != nil {
		t.Fatalf("the second MAIL: %v", err)
	}
}

func TestDropAfterData(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	s.DropAfterData()
	err := dial(t, s, smtptest.Plain, 0).SendMail("bell@example.com", []string{"ada@example.com"}, strings.NewReader(message("<x@test>")))
	if err == nil || s.Count() != 1 {
		t.Fatalf("error %v with %d kept, want the connection lost after the message was kept", err, s.Count())
	}
}

func TestDropOnReset(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	s.DropOnReset()
	c := dial(t, s, smtptest.Plain, 0)
	if err := c.SendMail("bell@example.com", []string{"ada@example.com"}, strings.NewReader(message("<x@test>"))); err != nil {
		t.Fatal(err)
	}
	if err := c.Reset(); err == nil || s.Count() != 1 {
		t.Fatalf("RSET answered %v with %d kept, want the connection lost", err, s.Count())
	}
}

func TestStallAfterData(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	s.StallAfterData()
	c := dial(t, s, smtptest.Plain, 0)
	c.SubmissionTimeout = 300 * time.Millisecond
	err := c.SendMail("bell@example.com", []string{"ada@example.com"}, strings.NewReader(message("<x@test>")))
	if err == nil || s.Count() != 1 {
		t.Fatalf("error %v with %d kept, want no answer to a kept message", err, s.Count())
	}
}

func TestDropSessions(t *testing.T) {
	s := smtptest.Start(t, smtptest.Options{})
	c := dial(t, s, smtptest.Plain, 0)
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	s.DropSessions()
	if err := c.Noop(); err == nil {
		t.Fatal("NOOP answered on a dropped session")
	}
}
