package smtptest

import (
	"time"

	"github.com/emersion/go-smtp"
)

// Reply is an SMTP answer: its code, enhanced status code (RFC 3463; zero
// for the generic X.0.0) and text.
type Reply struct {
	Code     int
	Enhanced [3]int
	Text     string
}

func (r Reply) smtpError() *smtp.SMTPError {
	return &smtp.SMTPError{Code: r.Code, EnhancedCode: smtp.EnhancedCode(r.Enhanced), Message: r.Text}
}

// AnyRecipient, given to RefuseRecipient, refuses every recipient that
// has no refusal of its own.
const AnyRecipient = "*"

// closingReply is a server closing an idle session.
var closingReply = Reply{Code: 421, Enhanced: [3]int{4, 4, 2}, Text: "Idle too long, closing"}

// misbehaviour is what a server was asked to do wrong; Server.mu guards it.
type misbehaviour struct {
	slow          []time.Duration  // per listener, before answering MAIL
	refuseConns   int              // connections still to refuse at EHLO
	refuseTo      map[string]Reply // RCPT TO address (or AnyRecipient) → reply
	closingAtMail int              // MAIL commands still to answer 421
	dropAfterData bool
	dropOnReset   bool
	stall         chan struct{} // closed to release stalled sessions
}

// misbehave changes what the server was asked to do wrong.
func (s *Server) misbehave(change func(*misbehaviour)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change(&s.misbehaviour)
}

// SlowMail makes listener i think for d before answering each MAIL
// command: a slow provider.
func (s *Server) SlowMail(i int, d time.Duration) {
	s.misbehave(func(m *misbehaviour) { m.slow[i] = d })
}

// RefuseSessions refuses the next n connections at EHLO (and at the HELO
// a client falls back to) with a 451.
func (s *Server) RefuseSessions(n int) {
	s.misbehave(func(m *misbehaviour) { m.refuseConns = n })
}

// RefuseRecipient answers RCPT TO:<to> with reply (a 5xx refuses it for
// good, a 4xx for now); to may be AnyRecipient.
func (s *Server) RefuseRecipient(to string, reply Reply) {
	s.misbehave(func(m *misbehaviour) {
		if m.refuseTo == nil {
			m.refuseTo = map[string]Reply{}
		}
		m.refuseTo[to] = reply
	})
}

// AcceptRecipient takes back RefuseRecipient(to, …).
func (s *Server) AcceptRecipient(to string) {
	s.misbehave(func(m *misbehaviour) { delete(m.refuseTo, to) })
}

// CloseAtMail answers the next n MAIL commands with 421, as a server
// closing an idle session does.
func (s *Server) CloseAtMail(n int) {
	s.misbehave(func(m *misbehaviour) { m.closingAtMail = n })
}

// DropAfterData makes the server close the connection once it has a
// message, before answering it: the client cannot know it was accepted.
func (s *Server) DropAfterData() {
	s.misbehave(func(m *misbehaviour) { m.dropAfterData = true })
}

// DropOnReset makes the server close a session at its first RSET after a
// message, which it accepted.
func (s *Server) DropOnReset() {
	s.misbehave(func(m *misbehaviour) { m.dropOnReset = true })
}

// StallAfterData makes the server take each message whole and then never
// answer it, as a provider hanging after the final "." does, until the
// test ends.
func (s *Server) StallAfterData() {
	s.misbehave(func(m *misbehaviour) {
		if m.stall == nil {
			m.stall = make(chan struct{})
		}
	})
}

// releaseStall lets stalled sessions go on.
func (s *Server) releaseStall() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stall != nil {
		close(s.stall)
		s.stall = nil
	}
}

// DropSessions closes every connection the server holds, as a server does
// with sessions idle too long.
func (s *Server) DropSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

// recipientReply is the refusal for to, or nil.
func (s *Server) recipientReply(to string) *smtp.SMTPError {
	if r, ok := s.refuseTo[to]; ok {
		return r.smtpError()
	}
	if r, ok := s.refuseTo[AnyRecipient]; ok {
		return r.smtpError()
	}
	return nil
}
