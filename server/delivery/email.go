package delivery

import (
	"bytes"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"

	stockbell "github.com/stockbell/stockbell"
	gomail "github.com/wneessen/go-mail"
)

// MessageID returns the Message-ID (without angle brackets) of a message
// row: the same on every attempt, so a retried send that the server had in
// fact accepted reads as the same message to deduplicating receivers.
// instanceTag tells apart deployments sending from one domain.
func MessageID(messageID int64, instanceTag, domain string) string {
	return fmt.Sprintf("stockbell.%d.%s@%s", messageID, instanceTag, domain)
}

// buildMessage turns a rendered message into a go-mail message. A
// recipient that is not an email address is a permanent EINVALID error.
func (s *SMTPSender) buildMessage(out stockbell.OutboundMessage) (*gomail.Msg, error) {
	to, err := mail.ParseAddress(out.To)
	if err != nil || to.Name != "" || !strings.Contains(to.Address, "@") {
		return nil, stockbell.FieldErrorf("to", "%q is not an email address.", out.To)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	name := out.FromName
	if name == "" {
		name = s.cfg.FromName
	}
	if err := msg.FromFormat(name, s.cfg.FromAddress); err != nil {
		return nil, fmt.Errorf("from address %q: %w", s.cfg.FromAddress, err)
	}
	if err := msg.To(to.Address); err != nil {
		return nil, stockbell.FieldErrorf("to", "%q is not an email address.", out.To)
	}
	msg.Subject(out.Subject)
	if out.Reference != "" {
		msg.SetMessageIDWithValue(fmt.Sprintf("stockbell.%s.%s@%s", out.Reference, s.idTag, s.cfg.SendingDomain()))
	} else {
		msg.SetMessageIDWithValue(MessageID(out.MessageID, s.idTag, s.cfg.SendingDomain()))
	}
	msg.SetDateWithValue(s.clock.Now())
	for _, name := range slices.Sorted(maps.Keys(out.Headers)) {
		msg.SetGenHeaderPreformatted(gomail.Header(name), out.Headers[name])
	}
	msg.SetBodyString(gomail.TypeTextPlain, out.Text)
	if out.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, out.HTML)
	}
	for _, a := range out.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("attachment %s: %w", a.Name, err)
		}
	}
	return msg, nil
}
