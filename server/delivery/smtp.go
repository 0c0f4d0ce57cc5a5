package delivery

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	stockbell "github.com/stockbell/stockbell"
	mail "github.com/wneessen/go-mail"
	"golang.org/x/time/rate"
)

var _ stockbell.Sender = (*SMTPSender)(nil)

// SMTPSender delivers email over SMTP. It keeps up to MaxSessions dialled
// connections and reuses them (RSET between messages), never runs more
// sessions than that at once, and waits for its rate limiter before each
// message. It is safe for concurrent use; Close ends the pooled sessions.
type SMTPSender struct {
	cfg      SMTPConfig
	dialer   *mail.Client // holds the settings; each session is its own *smtp.Client
	sessions chan struct{}
	limiter  *rate.Limiter
	clock    stockbell.Clock
	idTag    string

	mu     sync.Mutex
	idle   []pooledConn
	closed bool
}

type pooledConn struct {
	sess     *session
	lastUsed time.Time
}

// NewSMTPSender returns a sender for cfg. instance names this deployment
// (its public URL, say) so that Message-IDs of two deployments sending
// from one domain never collide.
func NewSMTPSender(cfg SMTPConfig, instance string, clock stockbell.Clock) (*SMTPSender, error) {
	cfg = withSMTPDefaults(cfg)
	sum := sha256.Sum256([]byte(instance))
	s := &SMTPSender{cfg: cfg, sessions: make(chan struct{}, cfg.MaxSessions),
		limiter: rate.NewLimiter(rate.Limit(cfg.RatePerSecond), cfg.Burst), clock: clock, idTag: hex.EncodeToString(sum[:4])}
	dialer, err := mail.NewClient(cfg.Host, append(smtpOptions(cfg), mail.WithDialContextFunc(s.dialConn))...)
	if err != nil {
		return nil, stockbell.FieldErrorf("smtp_url", "%v", err)
	}
	s.dialer = dialer
	return s, nil
}

func withSMTPDefaults(cfg SMTPConfig) SMTPConfig {
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 4
	}
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = 20
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 10
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Second
	}
	return cfg
}

// clientTLS is the TLS configuration of the sender's connections.
func clientTLS(cfg SMTPConfig) *tls.Config {
	if cfg.TLSConfig != nil {
		return cfg.TLSConfig
	}
	return &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
}

func smtpOptions(cfg SMTPConfig) []mail.Option {
	// WithoutNoop: a NOOP before each message would cost a round trip per
	// message to check a pooled session; a dropped one is found out at the
	// MAIL command instead (see deliver).
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(cfg.Timeout), mail.WithTLSConfig(clientTLS(cfg)), mail.WithoutNoop()}
	switch cfg.Security {
	case SMTPImplicit:
		// dialConn shakes hands before the greeting (go-mail's WithSSL
		// would dial by itself, out of the guard's reach). Opportunistic
		// STARTTLS then offers nothing to add (RFC 3207: a server does not
		// offer STARTTLS over TLS) and makes go-mail read the session's
		// TLS state, so that AUTH PLAIN and LOGIN are allowed on it.
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case SMTPNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	return opts
}

// Send delivers one email. A recipient or message the server refuses with
// a 5xx reply is a permanent EINVALID error carrying the server's reason;
// connection failures, timeouts and 4xx replies are transient errors.
func (s *SMTPSender) Send(ctx context.Context, out stockbell.OutboundMessage) (stockbell.SendResult, error) {
	msg, err := s.buildMessage(out)
	if err != nil {
		return stockbell.SendResult{}, err
	}
	if err := s.limiter.Wait(ctx); err != nil {
		return stockbell.SendResult{}, fmt.Errorf("smtp rate limit: %w", err)
	}
	select {
	case s.sessions <- struct{}{}:
		defer func() { <-s.sessions }()
	case <-ctx.Done():
		return stockbell.SendResult{}, fmt.Errorf("smtp: waiting for a session: %w", ctx.Err())
	}
	if err := s.deliver(ctx, msg); err != nil {
		return stockbell.SendResult{}, classifySMTP(err)
	}
	return stockbell.SendResult{ProviderID: msg.GetMessageID()}, nil
}

// deliver sends msg on a pooled session, or a fresh one when none is idle,
// within Timeout and ctx's deadline: when either ends, the connection is
// closed, ending whatever exchange was waiting (see connGuard). The send
// job's context ends at the job's timeout, before the message's lease, so
// no send outlives the lease it was begun under.
func (s *SMTPSender) deliver(ctx context.Context, msg *mail.Msg) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	guard := &connGuard{}
	defer context.AfterFunc(ctx, guard.cutOff)()
	err := s.sendOnSession(ctx, guard, msg)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (cut off: %w)", err, context.Cause(ctx))
	}
	return err
}

// sendOnSession sends msg, watched by guard. A pooled session the server
// has dropped meanwhile is replaced once: it fails before the message is
// handed over (sessionGone).
func (s *SMTPSender) sendOnSession(ctx context.Context, guard *connGuard, msg *mail.Msg) error {
	sess, reused := s.take()
	for {
		if sess == nil {
			var err error
			if sess, err = s.dialSession(ctx, guard); err != nil {
				return fmt.Errorf("smtp dial %s: %w", s.cfg, err)
			}
		}
		guard.watch(sess.conn)
		err := s.dialer.SendWithSMTPClient(sess.client, msg)
		if err == nil {
			s.keep(sess, guard)
			return nil
		}
		s.discard(sess)
		if msg.IsDelivered() {
			return nil // the server accepted the message; only the RSET after it failed
		}
		if !reused || !sessionGone(err) {
			return err
		}
		sess, reused = nil, false
	}
}

// keep pools a session after a message, unless the guard cut it off.
func (s *SMTPSender) keep(sess *session, guard *connGuard) {
	if guard.detach() {
		s.put(sess)
	} else {
		s.discard(sess)
	}
}

// sessionGone reports whether a send failed because its session was no
// longer there: the connection check failed, or the MAIL command, the
// first of a message, got no reply at all or 421 (the server closing the
// session, as it does one idle too long). Nothing of the message was
// handed over, so sending it on a fresh session sends it once.
func sessionGone(err error) bool {
	var sendErr *mail.SendError
	if !errors.As(err, &sendErr) {
		return false
	}
	if sendErr.Reason == mail.ErrConnCheck {
		return true
	}
	code := sendErr.ErrorCode()
	return sendErr.Reason == mail.ErrSMTPMailFrom && (code == 0 || code == 421)
}

// take returns an idle session, closing those idle too long.
func (s *SMTPSender) take() (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for len(s.idle) > 0 {
		pc := s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if now.Sub(pc.lastUsed) < s.cfg.IdleTimeout {
			return pc.sess, true
		}
		go s.discard(pc.sess)
	}
	return nil, false
}

func (s *SMTPSender) put(sess *session) {
	s.mu.Lock()
	if !s.closed && len(s.idle) < s.cfg.MaxSessions {
		s.idle = append(s.idle, pooledConn{sess: sess, lastUsed: s.clock.Now()})
		sess = nil
	}
	s.mu.Unlock()
	if sess != nil {
		s.discard(sess)
	}
}

// discard ends a session with QUIT, or closes it when that fails.
func (s *SMTPSender) discard(sess *session) {
	if err := s.dialer.CloseWithSMTPClient(sess.client); err != nil {
		sess.conn.Close()
	}
}

// Close ends the idle sessions; sessions in use end when their send returns.
func (s *SMTPSender) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle, s.closed = nil, true
	s.mu.Unlock()
	for _, pc := range idle {
		s.discard(pc.sess)
	}
	return nil
}

// classifySMTP turns a delivery error into the stockbell.Sender contract:
// a 5xx reply to the recipient or to the message itself is permanent; a
// failure while the server's answer to the complete message was awaited
// (no reply code: the connection dropped or timed out) leaves the outcome
// unknown.
func classifySMTP(err error) error {
	var sendErr *mail.SendError
	if errors.As(err, &sendErr) && sendErr.Reason == mail.ErrSMTPDataClose && sendErr.ErrorCode() == 0 {
		return fmt.Errorf("smtp: %w: %w", stockbell.ErrOutcomeUnknown, err)
	}
	if errors.As(err, &sendErr) && sendErr.ErrorCode() >= 500 && sendErr.ErrorCode() < 600 {
		switch sendErr.Reason {
		case mail.ErrSMTPRcptTo, mail.ErrSMTPData, mail.ErrSMTPDataClose:
			return &stockbell.Error{Code: stockbell.EINVALID, Field: "to",
				Message: fmt.Sprintf("The mail server refused the message: %s", sendErr.Error())}
		}
	}
	return fmt.Errorf("smtp: %w", err)
}
