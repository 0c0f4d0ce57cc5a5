package delivery_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stockbell/stockbell/server/delivery"
)

// received is one message an SMTP server accepted.
type received struct {
	From string
	To   []string
	Data []byte
}

// smtpServer is a real in-process SMTP server (emersion/go-smtp) that
// records what it receives and misbehaves on demand.
type smtpServer struct {
	host string
	port int
	// clientTLS trusts the server's self-signed certificate.
	clientTLS *tls.Config

	mu        sync.Mutex
	messages  []received
	conns     map[*smtp.Conn]bool // connections that reached EHLO: true if refused
	rcpts     int                 // RCPT commands seen
	refuse    int                 // refuse this many more connections with 451
	rejectTo  *smtp.SMTPError
	auths     []string
	wantLogin [2]string
	// dropAfterData closes the connection once a message is received,
	// before answering it; dropOnReset closes it at the RSET after one.
	dropAfterData, dropOnReset bool
	// closingAtMail answers this many more MAIL commands with 421, as a
	// server closing an idle session does.
	closingAtMail int
	// stallData, when set, makes the server take each message whole and
	// then never answer it, as a provider hanging after the final "."
	// does, until the channel is closed.
	stallData chan struct{}
}

// rejectUser is a permanent refusal of a recipient.
var rejectUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}

type serverMode int

const (
	plainServer    serverMode = iota // no TLS at all
	startTLSServer                   // STARTTLS offered
	implicitServer                   // TLS from the first byte (smtps)
)

// startSMTP runs a server in the given mode on a loopback port until the
// test ends.
func startSMTP(t testing.TB, mode serverMode) *smtpServer {
	t.Helper()
	s := &smtpServer{host: "127.0.0.1", conns: map[*smtp.Conn]bool{}}
	srv := smtp.NewServer(s)
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = mode == plainServer
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if mode != plainServer {
		serverTLS, clientTLS := selfSignedTLS(t)
		s.clientTLS = clientTLS
		srv.TLSConfig = serverTLS
		if mode == implicitServer {
			l = tls.NewListener(l, serverTLS)
		}
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

// config returns an SMTPConfig pointing at the server.
func (s *smtpServer) config(security delivery.SMTPSecurity) delivery.SMTPConfig {
	return delivery.SMTPConfig{Host: s.host, Port: s.port, Security: security, FromAddress: "alerts@stockbell.test",
		FromName: "Stockbell", TLSConfig: s.clientTLS, RatePerSecond: 1e6, Burst: 1000, Timeout: 5 * time.Second}
}

func (s *smtpServer) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// NewSession implements smtp.Backend.
func (s *smtpServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	refused, seen := s.conns[c]
	if !seen && s.refuse > 0 {
		s.refuse--
		refused = true
	}
	s.conns[c] = refused
	if refused { // EHLO, then HELO, are refused on this connection
		return nil, errors.New("try again later")
	}
	return &smtpSession{server: s, conn: c}, nil
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages...)
}

// counts returns the connections that opened an SMTP session and the RCPT
// commands seen.
func (s *smtpServer) counts() (sessions, rcpts int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, refused := range s.conns {
		if !refused {
			sessions++
		}
	}
	return sessions, s.rcpts
}

// dropSessions closes every connection the server holds, as a server does
// with sessions idle too long.
func (s *smtpServer) dropSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

type smtpSession struct {
	server *smtpServer
	conn   *smtp.Conn
	msg    received
	resets int
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.server.mu.Lock()
		defer s.server.mu.Unlock()
		s.server.auths = append(s.server.auths, username+":"+password)
		if s.server.wantLogin != [2]string{username, password} {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Bad credentials"}
		}
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.msg = received{From: from}
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	if s.server.closingAtMail > 0 {
		s.server.closingAtMail--
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Idle too long, closing"}
	}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.rcpts++
	if s.server.rejectTo != nil {
		return s.server.rejectTo
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = data
	s.server.mu.Lock()
	s.server.messages = append(s.server.messages, s.msg)
	drop, stall := s.server.dropAfterData, s.server.stallData
	s.server.mu.Unlock()
	if stall != nil {
		<-stall
	}
	if drop {
		s.conn.Conn().Close()
	}
	return nil
}

// Reset runs after each message and at each RSET command.
func (s *smtpSession) Reset() {
	s.msg = received{}
	s.resets++
	if s.server.dropOnReset && s.resets == 2 {
		s.conn.Conn().Close()
	}
}

func (s *smtpSession) Logout() error { return nil }

// selfSignedTLS makes a certificate for 127.0.0.1 and a client config
// that trusts it.
func selfSignedTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"mx.test"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	return server, client
}

// parseMail parses a received message's headers and body.
func parseMail(t testing.TB, data []byte) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(bytesReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, data)
	}
	return m
}
