package delivery

import (
	"context"
	"crypto/tls"
	"net"
	"sync"

	"github.com/wneessen/go-mail/smtp"
)

// Why a send needs more than go-mail's timeout: go-mail (v0.8.1) honours
// the context only while it connects. It then sets one deadline of
// Timeout on the connection for the greeting, EHLO, STARTTLS and AUTH,
// and sets it again before each message (checkConn), ignoring the
// context; its client holds a lock for each command's whole exchange, so
// it cannot be interrupted through the client either. A send on a fresh
// connection could thus take two Timeouts (60 s at the default) after
// connecting, longer than the job's timeout (20 s) and the message's
// lease (25 s): the job's retry could send the message while this send
// still ran. A connGuard closes the connection itself when the send's
// context ends, which ends any exchange stalled on it at once.

// session is one SMTP connection: go-mail's client and the network
// connection beneath it (beneath TLS too), which a connGuard closes.
type session struct {
	client *smtp.Client
	conn   net.Conn
}

// connGuard closes the connection it watches when cutOff is called (when
// the send's context ends), and every connection it is given after that.
type connGuard struct {
	mu   sync.Mutex
	conn net.Conn
	cut  bool
}

// watch makes c the connection to close.
func (g *connGuard) watch(c net.Conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.conn = c
	if g.cut {
		c.Close()
	}
}

// cutOff closes the watched connection.
func (g *connGuard) cutOff() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cut = true
	if g.conn != nil {
		g.conn.Close()
	}
}

// watched returns the connection watched.
func (g *connGuard) watched() net.Conn {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.conn
}

// detach stops watching; it reports false when the connection was cut
// off already, and so cannot be used again.
func (g *connGuard) detach() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.conn = nil
	return !g.cut
}

// guardKey carries a send's connGuard in the context given to go-mail's
// dial, so that dialConn can hand it the connection as soon as it exists.
type guardKey struct{}

// dialSession dials a session whose connection guard watches from the
// moment it connects, through the greeting, TLS and AUTH.
func (s *SMTPSender) dialSession(ctx context.Context, guard *connGuard) (*session, error) {
	client, err := s.dialer.DialToSMTPClientWithContext(context.WithValue(ctx, guardKey{}, guard))
	if err != nil {
		return nil, err
	}
	return &session{client: client, conn: guard.watched()}, nil
}

// dialConn is the sender's dial function (go-mail's WithDialContextFunc):
// it connects, gives the connection to the send's guard, and for
// implicit TLS shakes hands over it, which go-mail would have done
// without handing out the connection beneath.
func (s *SMTPSender) dialConn(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if guard, ok := ctx.Value(guardKey{}).(*connGuard); ok {
		guard.watch(conn)
	}
	if s.cfg.Security != SMTPImplicit {
		return conn, nil
	}
	tlsConn := tls.Client(conn, clientTLS(s.cfg))
	if err := tlsConn.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tlsConn, nil
}
