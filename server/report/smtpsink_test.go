package report_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// sentMail is one email the in-process SMTP server accepted, decoded.
type sentMail struct {
	To, Subject, MessageID, Unsubscribe string
	Text, HTML                          string
	Attachments                         map[string]string // file name → content
}

// smtpSink is a real SMTP server (smtptest) on loopback that accepts
// everything and keeps what it received.
type smtpSink struct{ *smtptest.Server }

func startSMTPSink(t testing.TB) *smtpSink {
	t.Helper()
	return &smtpSink{smtptest.Start(t, smtptest.Options{})}
}

// config is an SMTP sender's configuration for the sink.
func (s *smtpSink) config() delivery.SMTPConfig {
	return delivery.SMTPConfig{Host: s.Host(), Port: s.Port(0), Security: delivery.SMTPNone, FromAddress: "reports@stockbell.test"}
}

// mails decodes every message received so far, failing the test on one
// that does not decode.
func (s *smtpSink) mails(t testing.TB) []sentMail {
	t.Helper()
	var got []sentMail
	for _, msg := range s.Messages() {
		m, err := decodeMail(msg.Data)
		if err != nil {
			t.Fatalf("the SMTP server could not read a message: %v", err)
		}
		m.To = strings.Join(msg.To, ", ")
		got = append(got, m)
	}
	return got
}

// decodeMail reads an email: its text and HTML parts and its
// attachments, however the multipart parts nest.
func decodeMail(raw []byte) (sentMail, error) {
	msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return sentMail{}, err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	out := sentMail{Subject: subject, MessageID: msg.Header.Get("Message-Id"), Unsubscribe: msg.Header.Get("List-Unsubscribe"),
		Attachments: map[string]string{}}
	err = out.readPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return out, err
}

// readPart reads one part of the email into m: a multipart one part by
// part, an attachment by its file name, else the text or the HTML.
func (m *sentMail) readPart(contentType, encoding, fileName string, body io.Reader) error {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		parts := multipart.NewReader(body, params["boundary"])
		for {
			p, err := parts.NextPart() // decodes quoted-printable
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := m.readPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.FileName(), p); err != nil {
				return err
			}
		}
	}
	data, err := readBody(body, encoding)
	switch {
	case fileName != "":
		m.Attachments[fileName] = data
	case mediaType == "text/html":
		m.HTML = strings.ReplaceAll(data, "\r\n", "\n") // SMTP's line ends
	default:
		m.Text = strings.ReplaceAll(data, "\r\n", "\n")
	}
	return err
}

// readBody reads a part's body, decoding its transfer encoding.
func readBody(body io.Reader, encoding string) (string, error) {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	return string(data), err
}
