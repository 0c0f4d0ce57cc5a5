package smtptest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/mail"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// backend opens the sessions of one listener.
type backend struct {
	server   *Server
	listener int
}

// NewSession implements smtp.Backend: it runs at EHLO, and again at the
// HELO a client falls back to when EHLO is refused.
func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s := b.server
	s.mu.Lock()
	defer s.mu.Unlock()
	refused, seen := s.conns[c]
	if !seen && s.refuseConns > 0 {
		s.refuseConns--
		refused = true
	}
	s.conns[c] = refused
	if refused {
		return nil, errors.New("try again later")
	}
	return &session{backend: b, conn: c}, nil
}

// session is one SMTP session; its message is the one under way.
type session struct {
	backend
	conn   *smtp.Conn
	msg    Message
	resets int
}

// AuthMechanisms implements smtp.AuthSession.
func (*session) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth implements smtp.AuthSession: only the login of Options passes.
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		srv := s.server
		srv.mu.Lock()
		defer srv.mu.Unlock()
		srv.logins = append(srv.logins, username+":"+password)
		if username == "" || username != srv.opts.Username || password != srv.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Bad credentials"}
		}
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.msg = Message{Listener: s.listener, From: from}
	srv := s.server
	srv.mu.Lock()
	slow, closing := srv.slow[s.listener], srv.closingAtMail > 0
	if closing {
		srv.closingAtMail--
	}
	srv.mu.Unlock()
	if closing {
		return closingReply.smtpError()
	}
	time.Sleep(slow)
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	srv := s.server
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.rcpts++
	if err := srv.recipientReply(to); err != nil {
		return err
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

// Data records the message, refusing one whose headers do not parse, then
// stalls or drops the connection if asked to.
func (s *session) Data(r io.Reader) error {
	if s.server.opts.CountOnly {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
		s.server.record(Message{})
		return nil
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	parsed, err := parseMessage(data)
	if err != nil {
		return err
	}
	s.msg.Data, s.msg.MessageID, s.msg.At = data, parsed.Header.Get("Message-Id"), time.Now()
	s.server.record(s.msg)
	s.afterData()
	return nil
}

// afterData stalls or drops the connection, as asked, before the message
// is answered.
func (s *session) afterData() {
	s.server.mu.Lock()
	drop, stall := s.server.dropAfterData, s.server.stall
	s.server.mu.Unlock()
	if stall != nil {
		<-stall
	}
	if drop {
		s.conn.Conn().Close()
	}
}

// Reset implements smtp.Session: it runs after each message and at each
// RSET command.
func (s *session) Reset() {
	s.msg = Message{}
	s.resets++
	s.server.mu.Lock()
	drop := s.server.dropOnReset
	s.server.mu.Unlock()
	if drop && s.resets == 2 {
		s.conn.Conn().Close()
	}
}

func (*session) Logout() error { return nil }

func parseMessage(data []byte) (*mail.Message, error) {
	return mail.ReadMessage(bufio.NewReader(bytes.NewReader(data)))
}
