package delivery_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// sendDeadline stands in for the send job's timeout (server/jobs.JobTimeout,
// 20 s in production), which the job's context carries as its deadline;
// the message's lease (restock.DefaultSendLease, 25 s) is taken after the
// job started, so it ends later still. The SMTP timeout stays at the
// product's default (30 s): the send must end at the context's deadline,
// not at the timeout.
const sendDeadline = 2 * time.Second

// sendGrace is how long after its context's deadline a send may take to
// return (closing the connection, the goroutines' scheduling).
const sendGrace = time.Second

// shippedConfig is cfg at the SMTP timeout the product ships with.
func shippedConfig(cfg delivery.SMTPConfig) delivery.SMTPConfig {
	cfg.Timeout = 0 // the default
	return cfg
}

// sendBefore sends with a context whose deadline is sendDeadline away (or
// cancelled then, with cancel set) and fails unless the send returns by
// the deadline plus sendGrace.
func sendBefore(t *testing.T, sender *delivery.SMTPSender, cancel bool) error {
	t.Helper()
	sendCtx, stop := context.WithTimeout(ctx, sendDeadline)
	if cancel {
		sendCtx, stop = context.WithCancel(ctx)
		time.AfterFunc(sendDeadline, stop)
	}
	defer stop()
	start := time.Now()
	_, err := sender.Send(sendCtx, renderEmail(t, "en"))
	if took := time.Since(start); took > sendDeadline+sendGrace {
		t.Fatalf("the send took %s, its context ended after %s", took.Round(time.Millisecond), sendDeadline)
	}
	wantTransient(t, err)
	return err
}

// TestSMTPSendEndsWithItsContextWhenTheServerStallsAfterTheMessage: a
// server that takes the message and never answers it holds the send only
// until the context ends, whether by its deadline (the job's timeout) or
// cancelled (the process stopping); the message was handed over, so the
// outcome is unknown.
func TestSMTPSendEndsWithItsContextWhenTheServerStallsAfterTheMessage(t *testing.T) {
	for _, cancel := range []bool{false, true} {
		srv := smtptest.Start(t, smtptest.Options{Security: smtptest.StartTLS})
		srv.StallAfterData()
		sender := newSMTPSender(t, shippedConfig(smtpConfig(srv, delivery.SMTPStartTLS)))
		err := sendBefore(t, sender, cancel)
		if !errors.Is(err, stockbell.ErrOutcomeUnknown) {
			t.Fatalf("cancelled %v: error = %v, want the outcome unknown", cancel, err)
		}
	}
}

// TestSMTPSendEndsWithItsContextOnAReusedSession: the same on a pooled
// session, where go-mail extends the connection's deadline by the timeout
// before each message.
func TestSMTPSendEndsWithItsContextOnAReusedSession(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	sender := newSMTPSender(t, shippedConfig(smtpConfig(srv, delivery.SMTPNone)))
	if _, err := sender.Send(ctx, renderEmail(t, "en")); err != nil {
		t.Fatal(err)
	}
	srv.StallAfterData()
	if err := sendBefore(t, sender, false); !errors.Is(err, stockbell.ErrOutcomeUnknown) {
		t.Fatalf("error = %v, want the outcome unknown", err)
	}
}

// TestSMTPSendEndsWithItsContextWhenTheGreetingStalls: a server that
// accepts the connection and never greets (or stalls anywhere before the
// message: EHLO, TLS, AUTH) holds the send only until its context ends;
// nothing was handed over.
func TestSMTPSendEndsWithItsContextWhenTheGreetingStalls(t *testing.T) {
	for _, security := range []delivery.SMTPSecurity{delivery.SMTPNone, delivery.SMTPImplicit} {
		l := silentListener(t)
		port := l.Addr().(*net.TCPAddr).Port
		sender := newSMTPSender(t, shippedConfig(smtpConfigAt("127.0.0.1", port, nil, security)))
		if err := sendBefore(t, sender, false); errors.Is(err, stockbell.ErrOutcomeUnknown) {
			t.Fatalf("%s: error = %v, want a plain transient error: nothing was handed over", security, err)
		}
	}
}

// silentListener accepts connections and never writes to them.
func silentListener(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var conns []net.Conn
		for {
			c, err := l.Accept()
			if err != nil {
				break
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Close()
		}
		close(done)
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return l
}
