package delivery_test

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"regexp"
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/server/delivery"
	"github.com/stockbell/stockbell/server/delivery/smtptest"
)

// TestSMTPSendsAttachments sends a report-like email with a CSV attached
// through the in-process SMTP server and reads the file back byte for byte.
func TestSMTPSendsAttachments(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	sender := newSMTPSender(t, smtpConfig(srv, delivery.SMTPNone))
	csv := "\uFEFFproduct,email\n\"Tee, \"\"classic\"\"\",'=x@example.com\n"
	out := stockbell.OutboundMessage{Channel: stockbell.ChannelEmail, To: "owner@example.com", Subject: "Your daily report",
		Text: "Attached: the activity of 1 March.", Reference: "report.7",
		Attachments: []stockbell.Attachment{{Name: "activity-2025-03-01.csv", ContentType: "text/csv; charset=utf-8", Data: []byte(csv)}}}
	if _, err := sender.Send(ctx, out); err != nil {
		t.Fatal(err)
	}
	m := srv.Messages()[0].Parse(t)
	if id := m.Header.Get("Message-ID"); !regexp.MustCompile(`^<stockbell\.report\.7\.[0-9a-f]{8}@stockbell\.test>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/mixed" {
		t.Fatalf("Content-Type = %q, want multipart/mixed", m.Header.Get("Content-Type"))
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	var text, file string
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		disposition, dparams, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if disposition == "attachment" {
			if dparams["filename"] != "activity-2025-03-01.csv" || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") {
				t.Errorf("attachment headers %v", p.Header)
			}
			decoded, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", ""), "\n", ""))
			if err != nil {
				t.Fatal(err)
			}
			file = string(decoded)
		} else {
			text = string(data)
		}
	}
	if file != csv || !strings.Contains(text, "activity of 1 March") {
		t.Fatalf("attachment %q (want %q), text %q", file, csv, text)
	}
}
