package delivery_test

import (
	"context"
	"crypto/tls"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// rejectUser is a permanent refusal of a recipient.
var rejectUser = smtptest.Reply{Code: 550, Enhanced: [3]int{5, 1, 1}, Text: "No such user here"}

// smtpConfig returns an SMTPConfig pointing at the server's first listener.
func smtpConfig(srv *smtptest.Server, security delivery.SMTPSecurity) delivery.SMTPConfig {
	return smtpConfigAt(srv.Host(), srv.Port(0), srv.ClientTLS(), security)
}

// smtpConfigAt returns an SMTPConfig pointing at host:port, trusting
// clientTLS.
func smtpConfigAt(host string, port int, clientTLS *tls.Config, security delivery.SMTPSecurity) delivery.SMTPConfig {
	return delivery.SMTPConfig{Host: host, Port: port, Security: security, FromAddress: "alerts@stockbell.test",
		FromName: "Stockbell", TLSConfig: clientTLS, RatePerSecond: 1e6, Burst: 1000, Timeout: 5 * time.Second}
}

func newSMTPSender(t testing.TB, cfg delivery.SMTPConfig) *delivery.SMTPSender {
	t.Helper()
	s, err := delivery.NewSMTPSender(cfg, "https://bell.test", newClock())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// renderEmail renders the shirt message for shopper@example.com.
func renderEmail(t testing.TB, locale string) stockbell.OutboundMessage {
	t.Helper()
	tmpl := delivery.NewTemplates(delivery.NewLinks("http://localhost:8080", newSigner(t)), delivery.StopNorthAmerica)
	out, err := tmpl.Render(ctx, content(stockbell.ChannelEmail, "shopper@example.com", locale))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSMTPDeliversMultipartWithHeaders(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Security: smtptest.StartTLS, Username: "bell", Password: "s3cret"})
	cfg := smtpConfig(srv, delivery.SMTPStartTLS)
	cfg.Username, cfg.Password = "bell", "s3cret"
	sender := newSMTPSender(t, cfg)
	out := renderEmail(t, "en")
	res, err := sender.Send(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].From != "alerts@stockbell.test" || len(got[0].To) != 1 || got[0].To[0] != "shopper@example.com" {
		t.Fatalf("received %+v", got)
	}
	m := got[0].Parse(t)
	if from := decodeHeader(t, m.Header.Get("From")); from != `"Atelier Nord" <alerts@stockbell.test>` {
		t.Errorf("From = %q", from)
	}
	// No shop setting names a reply-to address: replies go to the sender.
	if rt := m.Header.Get("Reply-To"); rt != "" {
		t.Errorf("Reply-To = %q, want none", rt)
	}
	if subj := decodeHeader(t, m.Header.Get("Subject")); subj != "Linen shirt is back in stock" {
		t.Errorf("Subject = %q", subj)
	}
	msgID := m.Header.Get("Message-ID")
	if !regexp.MustCompile(`^<stockbell\.42\.[0-9a-f]{8}@stockbell\.test>$`).MatchString(msgID) || res.ProviderID != msgID {
		t.Errorf("Message-ID = %q, provider id %q", msgID, res.ProviderID)
	}
	unsub := m.Header.Get("List-Unsubscribe")
	if !regexp.MustCompile(`^<http://localhost:8080/unsubscribe/[A-Za-z0-9_-]+>$`).MatchString(unsub) {
		t.Errorf("List-Unsubscribe = %q", unsub)
	}
	if post := m.Header.Get("List-Unsubscribe-Post"); post != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", post)
	}
	parts := mimeParts(t, m)
	link := strings.Trim(unsub, "<>")
	for _, ct := range []string{"text/plain", "text/html"} {
		body := parts[ct]
		if !strings.Contains(body, "Linen shirt") || !strings.Contains(body, "utm_campaign=back_in_stock") || !strings.Contains(body, link) {
			t.Errorf("%s part lacks the product, the tracked link or the unsubscribe link:\n%s", ct, body)
		}
	}
	if !strings.Contains(parts["text/html"], `<img src="https://cdn.example/shirt-blue.jpg"`) {
		t.Errorf("HTML part has no product image:\n%s", parts["text/html"])
	}
	if auths := srv.Logins(); len(auths) != 1 || auths[0] != "bell:s3cret" {
		t.Errorf("server saw logins %v", auths)
	}
}

func TestSMTPMessageIDStableAcrossAttempts(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone))
	out := renderEmail(t, "en")
	for range 2 {
		if _, err := sender.Send(ctx, out); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Messages()
	first, second := got[0].Parse(t).Header.Get("Message-ID"), got[1].Parse(t).Header.Get("Message-ID")
	if first == "" || first != second {
		t.Fatalf("Message-IDs %q and %q, want one stable id", first, second)
	}
	out.MessageID = 43
	if _, err := sender.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	if third := srv.Messages()[2].Parse(t).Header.Get("Message-ID"); third == first {
		t.Fatalf("message 43 reused message 42's id %q", third)
	}
}

func TestSMTPReusesSessions(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Security: smtptest.StartTLS})
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPStartTLS))
	out := renderEmail(t, "en")
	for range 5 {
		if _, err := sender.Send(ctx, out); err != nil {
			t.Fatal(err)
		}
	}
	if sessions := srv.Sessions(); sessions != 1 || len(srv.Messages()) != 5 {
		t.Fatalf("%d sessions for %d messages, want 1 session for 5", sessions, len(srv.Messages()))
	}
}

// TestSMTPReplacesADroppedSession: a pooled session the server closed while
// it was idle is found out at the next message's MAIL command (no NOOP is
// spent on each message to check it) and replaced; the message is sent once.
func TestSMTPReplacesADroppedSession(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone))
	out := renderEmail(t, "en")
	if _, err := sender.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	srv.DropSessions()
	time.Sleep(50 * time.Millisecond) // the close reaches the client's socket
	if _, err := sender.Send(ctx, out); err != nil {
		t.Fatalf("after the server dropped the idle session: %v", err)
	}
	if sessions := srv.Sessions(); sessions != 2 || len(srv.Messages()) != 2 {
		t.Fatalf("%d sessions for %d messages, want 2 sessions for 2", sessions, len(srv.Messages()))
	}
}

// TestSMTPReplacesASessionClosingAtMail: a pooled session answered 421 (the
// server closing it) at the MAIL command is replaced and the message sent.
func TestSMTPReplacesASessionClosingAtMail(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone))
	out := renderEmail(t, "en")
	if _, err := sender.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	srv.CloseAtMail(1)
	if _, err := sender.Send(ctx, out); err != nil {
		t.Fatalf("after a 421 at MAIL: %v", err)
	}
	if len(srv.Messages()) != 2 {
		t.Fatalf("%d messages received, want 2", len(srv.Messages()))
	}
}

func TestSMTPBoundsConcurrentSessions(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	cfg := smtpConfig(srv, delivery.SMTPNone)
	cfg.MaxSessions = 2
	sender := newSMTPSender(t, cfg)
	out := renderEmail(t, "en")
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Go(func() {
			_, err := sender.Send(ctx, out)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if sessions := srv.Sessions(); sessions > 2 || len(srv.Messages()) != 40 {
		t.Fatalf("%d sessions opened for %d messages, want at most 2 for 40", sessions, len(srv.Messages()))
	}
}

func TestSMTPFlakyServerRetriesThenDeliversOnce(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RefuseSessions(2)
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone))
	out := renderEmail(t, "en")
	// The job queue retries transient errors; each attempt is one Send.
	attempts := 0
	for {
		attempts++
		_, err := sender.Send(ctx, out)
		if err == nil {
			break
		}
		wantTransient(t, err)
		if attempts == 5 {
			t.Fatalf("still failing after %d attempts: %v", attempts, err)
		}
	}
	if attempts != 3 || len(srv.Messages()) != 1 {
		t.Fatalf("%d attempts, %d messages received; want 3 attempts and exactly 1 message", attempts, len(srv.Messages()))
	}
}

func TestSMTPConnectionRefusedIsTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	sender := newSMTPSender(t, delivery.SMTPConfig{Host: "127.0.0.1", Port: port, Security: delivery.SMTPNone,
		FromAddress: "alerts@stockbell.test", Timeout: 2 * time.Second})
	_, err = sender.Send(ctx, renderEmail(t, "en"))
	wantTransient(t, err)
	if !strings.Contains(err.Error(), "refused") {
		t.Fatalf("error = %v, want connection refused", err)
	}
}

func TestSMTPRejectedRecipientIsPermanent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RefuseRecipient(smtptest.AnyRecipient, rejectUser)
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone))
	_, err := sender.Send(ctx, renderEmail(t, "en"))
	wantCode(t, err, stockbell.EINVALID)
	if msg := stockbell.ErrorMessage(err); !strings.Contains(msg, "550") || !strings.Contains(msg, "No such user here") {
		t.Fatalf("reason %q does not carry the server's answer", msg)
	}
	if rcpts := srv.RcptCommands(); rcpts != 1 || len(srv.Messages()) != 0 {
		t.Fatalf("%d RCPT commands, %d messages; want 1 and 0 (no retry inside the sender)", rcpts, len(srv.Messages()))
	}
}

func TestSMTPTemporaryRejectionIsTransient(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.RefuseRecipient(smtptest.AnyRecipient, smtptest.Reply{Code: 452, Enhanced: [3]int{4, 2, 2}, Text: "Mailbox full"})
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone))
	_, err := sender.Send(ctx, renderEmail(t, "en"))
	wantTransient(t, err)
	// The session is still usable afterwards.
	srv.AcceptRecipient(smtptest.AnyRecipient)
	if _, err := sender.Send(ctx, renderEmail(t, "en")); err != nil || len(srv.Messages()) != 1 {
		t.Fatalf("send after a 452: %v, %d received", err, len(srv.Messages()))
	}
}

func TestSMTPRequiresStartTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	_, err := newSMTPSender(t, smtpConfig(srv, delivery.SMTPStartTLS)).Send(ctx, renderEmail(t, "en"))
	wantTransient(t, err)
	if !strings.Contains(err.Error(), "STARTTLS") || len(srv.Messages()) != 0 {
		t.Fatalf("error %v with %d messages sent in plaintext; want a STARTTLS failure and none", err, len(srv.Messages()))
	}
	if _, err := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone)).Send(ctx, renderEmail(t, "en")); err != nil {
		t.Fatalf("tls=none: %v", err)
	}
	if len(srv.Messages()) != 1 {
		t.Fatalf("%d messages, want 1 with tls=none", len(srv.Messages()))
	}
}

func TestSMTPRejectsUntrustedCertificate(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Security: smtptest.StartTLS})
	cfg := smtpConfig(srv, delivery.SMTPStartTLS)
	cfg.TLSConfig = nil // the system roots do not know the test CA
	_, err := newSMTPSender(t, cfg).Send(ctx, renderEmail(t, "en"))
	wantTransient(t, err)
	if len(srv.Messages()) != 0 {
		t.Fatal("sent over an unverified TLS session")
	}
}

// TestSMTPImplicitTLS: TLS from the first byte, with AUTH PLAIN, which
// is offered only on an encrypted session.
func TestSMTPImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Security: smtptest.ImplicitTLS, Username: "bell", Password: "s3cret"})
	cfg := smtpConfig(srv, delivery.SMTPImplicit)
	cfg.Username, cfg.Password = "bell", "s3cret"
	if _, err := newSMTPSender(t, cfg).Send(ctx, renderEmail(t, "en")); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 1 || len(srv.Logins()) != 1 {
		t.Fatalf("%d messages after %d logins, want 1 after 1", len(srv.Messages()), len(srv.Logins()))
	}
}

func TestSMTPBadRecipientAddressIsPermanent(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	out := renderEmail(t, "en")
	out.To = "not an address"
	_, err := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone)).Send(ctx, out)
	wantCode(t, err, stockbell.EINVALID)
	if rcpts := srv.RcptCommands(); rcpts != 0 {
		t.Fatal("the server was contacted for an invalid address")
	}
}

func TestSMTPRateLimitWaits(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	cfg := smtpConfig(srv, delivery.SMTPNone)
	cfg.RatePerSecond, cfg.Burst = 0.001, 1 // one message, then one every 1000 s
	sender := newSMTPSender(t, cfg)
	if _, err := sender.Send(ctx, renderEmail(t, "en")); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := sender.Send(short, renderEmail(t, "en"))
	wantTransient(t, err)
	if len(srv.Messages()) != 1 {
		t.Fatalf("%d messages, want the second held back by the rate limit", len(srv.Messages()))
	}
}
