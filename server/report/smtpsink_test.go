package report_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stockbell/stockbell/server/delivery"
)

// sentMail is one email the in-process SMTP server accepted, decoded.
type sentMail struct {
	To, Subject, MessageID, Unsubscribe string
	Text                                string
	Attachments                         map[string]string // file name → content
}

// smtpSink is a real SMTP server (emersion/go-smtp) on loopback that
// accepts everything and keeps what it received.
type smtpSink struct {
	port int
	mu   sync.Mutex
	got  []sentMail
	err  error
}

func startSMTPSink(t testing.TB) *smtpSink {
	t.Helper()
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	sink.port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sink
}

// config is an SMTP sender's configuration for the sink.
func (s *smtpSink) config() delivery.SMTPConfig {
	return delivery.SMTPConfig{Host: "127.0.0.1", Port: s.port, Security: delivery.SMTPNone, FromAddress: "reports@stockbell.test"}
}

func (s *smtpSink) mails(t testing.TB) []sentMail {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		t.Fatalf("the SMTP server could not read a message: %v", s.err)
	}
	return append([]sentMail(nil), s.got...)
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct {
	sink *smtpSink
	to   string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *sinkSession) Reset()        { s.to = "" }
func (s *sinkSession) Logout() error { return nil }

func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := decodeMail(raw)
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	if err != nil {
		s.sink.err = err
		return err
	}
	m.To = s.to
	s.sink.got = append(s.sink.got, m)
	return nil
}

// decodeMail reads a multipart/mixed email: its text part and attachments.
func decodeMail(raw []byte) (sentMail, error) {
	msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return sentMail{}, err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	out := sentMail{Subject: subject, MessageID: msg.Header.Get("Message-Id"), Unsubscribe: msg.Header.Get("List-Unsubscribe"),
		Attachments: map[string]string{}}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return out, err
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart() // decodes quoted-printable
		if err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return out, err
		}
		if p.FileName() == "" {
			out.Text = string(data)
			continue
		}
		decoded, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(data)))
		if err != nil {
			return out, err
		}
		out.Attachments[p.FileName()] = string(decoded)
	}
}
