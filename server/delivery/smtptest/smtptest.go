// Package smtptest plays an email provider for tests: a real SMTP server
// (emersion/go-smtp) on one or several loopback ports that records every
// message it accepts — envelope, data, Message-ID, the listener that took
// it and when — and misbehaves on demand, as providers do: it answers
// slowly, refuses sessions or recipients with a chosen reply, closes a
// session at MAIL, drops the connection after a message or at the RSET
// that follows it, or takes a message and never answers it.
//
// It speaks plaintext, STARTTLS or TLS from the first byte with a
// self-signed certificate that ClientTLS trusts, and accepts AUTH PLAIN
// for the one login Options gives. Only tests import it: it knows nothing
// of Stockbell, and each test points its own sender at Host and Port.
package smtptest

import (
	"crypto/tls"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Security is how a server protects its sessions.
type Security int

const (
	Plain       Security = iota // no TLS at all; AUTH is offered in plaintext
	StartTLS                    // STARTTLS offered on a plaintext connection
	ImplicitTLS                 // TLS from the first byte (smtps)
)

// Options are what a server is started with.
type Options struct {
	// Listeners is how many loopback ports share the server's record
	// (each server replica under test given its own); 0 means one.
	Listeners int
	Security  Security
	// Username and Password are the only login AUTH PLAIN accepts; with
	// none, every login is refused.
	Username, Password string
	// CountOnly keeps no message, only their number: for benchmarks,
	// whose memory and CPU a record of every message would distort.
	CountOnly bool
}

// Message is one message the server accepted.
type Message struct {
	// Listener is the index of the port that took it.
	Listener int
	From     string   // MAIL FROM
	To       []string // every accepted RCPT TO, in order
	// Data is the message as received, headers and body.
	Data      []byte
	MessageID string // its Message-ID header
	At        time.Time
}

// Parse parses the message's headers and body, failing tb if they do not
// parse.
func (m Message) Parse(tb testing.TB) *mail.Message {
	tb.Helper()
	parsed, err := parseMessage(m.Data)
	if err != nil {
		tb.Fatalf("received message does not parse: %v\n%s", err, m.Data)
	}
	return parsed
}

// Server is a running SMTP server and what it has recorded.
type Server struct {
	opts      Options
	ports     []int
	clientTLS *tls.Config
	count     atomic.Int64

	mu       sync.Mutex
	messages []Message
	conns    map[*smtp.Conn]bool // connections that reached EHLO: true if refused
	rcpts    int                 // RCPT commands seen
	logins   []string            // "username:password" of each AUTH
	misbehaviour
}

// Start runs a server on loopback until the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := &Server{opts: opts, conns: map[*smtp.Conn]bool{}}
	s.slow = make([]time.Duration, max(opts.Listeners, 1))
	var serverTLS *tls.Config
	if opts.Security != Plain {
		serverTLS, s.clientTLS = selfSignedTLS(tb)
	}
	for i := range s.slow {
		s.listen(tb, i, serverTLS)
	}
	return s
}

// listen serves listener i on a loopback port until the test ends.
func (s *Server) listen(tb testing.TB, i int, serverTLS *tls.Config) {
	srv := smtp.NewServer(backend{server: s, listener: i})
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.AllowInsecureAuth = s.opts.Security == Plain
	srv.TLSConfig = serverTLS
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.ports = append(s.ports, l.Addr().(*net.TCPAddr).Port)
	if s.opts.Security == ImplicitTLS {
		l = tls.NewListener(l, serverTLS)
	}
	go srv.Serve(l)
	tb.Cleanup(func() {
		s.releaseStall() // a stalled session would otherwise hang forever
		srv.Close()
	})
}

// Host is the address every listener is on.
func (s *Server) Host() string { return "127.0.0.1" }

// Port is listener i's port.
func (s *Server) Port(i int) int { return s.ports[i] }

// Addr is listener i's host:port.
func (s *Server) Addr(i int) string { return net.JoinHostPort(s.Host(), strconv.Itoa(s.ports[i])) }

// ClientTLS is a client TLS configuration that trusts the server's
// certificate; nil for a Plain server.
func (s *Server) ClientTLS() *tls.Config { return s.clientTLS }

// Messages returns the messages accepted so far, in the order they were
// (none with CountOnly).
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Count is how many messages the server accepted.
func (s *Server) Count() int { return int(s.count.Load()) }

// Sessions is how many connections opened an SMTP session (said EHLO or
// HELO and were not refused).
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, refused := range s.conns {
		if !refused {
			n++
		}
	}
	return n
}

// RcptCommands is how many RCPT commands the server answered, accepted or
// refused.
func (s *Server) RcptCommands() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rcpts
}

// Logins returns the "username:password" of each AUTH attempt, accepted
// or refused.
func (s *Server) Logins() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.logins...)
}

// record keeps an accepted message. It is counted once kept, so that
// Messages holds at least Count messages.
func (s *Server) record(m Message) {
	if !s.opts.CountOnly {
		s.mu.Lock()
		s.messages = append(s.messages, m)
		s.mu.Unlock()
	}
	s.count.Add(1)
}
