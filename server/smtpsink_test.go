package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailbox is one message an SMTP sink accepted.
type mailbox struct {
	// Listener is the index of the sink's listener that took it, which tells
	// which server replica sent it (each is given its own port).
	Listener  int
	MessageID string
	To        string
	At        time.Time
}

// smtpSink is a real SMTP server (emersion/go-smtp), plaintext on
// loopback, that accepts everything and records each message's Message-ID
// and recipient. It listens on several ports with one mailbox.
type smtpSink struct {
	ports []int
	// slow[i] is how long listener i thinks before taking each message
	// (before MAIL FROM is answered): a slow provider.
	slow []time.Duration
	// refuse maps a recipient to the SMTP reply code it is refused with
	// (a 5xx for good, a 4xx for now); set it before the first message.
	refuse map[string]int
	mu     sync.Mutex
	got    []mailbox
}

// startSMTPSink listens on n loopback ports until the test ends.
func startSMTPSink(t testing.TB, n int) *smtpSink {
	t.Helper()
	sink := &smtpSink{slow: make([]time.Duration, n)}
	for i := range n {
		srv := smtp.NewServer(sinkBackend{sink: sink, listener: i})
		srv.Domain = "mx.test"
		srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		sink.ports = append(sink.ports, l.Addr().(*net.TCPAddr).Port)
		go srv.Serve(l)
		t.Cleanup(func() { srv.Close() })
	}
	return sink
}

// url is the STOCKBELL_SMTP_URL of listener i.
func (s *smtpSink) url(i int) string {
	return "smtp://127.0.0.1:" + strconv.Itoa(s.ports[i]) + "?tls=none"
}

func (s *smtpSink) messages() []mailbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mailbox(nil), s.got...)
}

func (s *smtpSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// countFrom is how many messages listener i took.
func (s *smtpSink) countFrom(i int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.got {
		if m.Listener == i {
			n++
		}
	}
	return n
}

type sinkBackend struct {
	sink     *smtpSink
	listener int
}

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &sinkSession{backend: b}, nil
}

type sinkSession struct {
	backend sinkBackend
	to      string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error {
	time.Sleep(s.backend.sink.slow[s.backend.listener])
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if code := s.backend.sink.refuse[to]; code != 0 {
		return &smtp.SMTPError{Code: code, Message: "recipient refused by the test's provider"}
	}
	s.to = to
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return err
	}
	got := mailbox{Listener: s.backend.listener, MessageID: msg.Header.Get("Message-Id"), To: s.to, At: time.Now()}
	s.backend.sink.mu.Lock()
	s.backend.sink.got = append(s.backend.sink.got, got)
	s.backend.sink.mu.Unlock()
	return nil
}

func (s *sinkSession) Reset()        { s.to = "" }
func (s *sinkSession) Logout() error { return nil }
