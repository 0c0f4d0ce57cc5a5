package stockbell

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Flow templates: the pre-built flows a shop starts from.
const (
	TemplateEmailOnly     = "email_only"
	TemplateEmailThenSMS  = "email_then_sms"
	TemplateEmailReminder = "email_reminder"
	// DefaultFlowTemplate is the flow of a shop that never stored one.
	DefaultFlowTemplate = TemplateEmailOnly
)

// MaxSmartSendingHours bounds a step's smart-sending window (a week).
const MaxSmartSendingHours = 168

// Smart-sending windows of the library's follow-up messages. A follow-up
// is not essential (the alert is, and keeps smart sending off so that
// everyone hears of the restock): a shopper the shop messaged on the same
// channel within the window, about another item say, is not sent it. The
// text's window is the longer, texts being the more intrusive.
const (
	FollowUpEmailSmartSendingHours = 16
	FollowUpSMSSmartSendingHours   = 24
)

// MaxStepDelay bounds the delay before one step (thirty days).
const MaxStepDelay = 30 * 24 * time.Hour

// FlowTemplates returns the names of the template library, in display order.
func FlowTemplates() []string {
	return []string{TemplateEmailOnly, TemplateEmailThenSMS, TemplateEmailReminder}
}

// FlowFromTemplate returns a live flow for the shop built from a library
// template. Returns EINVALID naming the field for an unknown template.
//
// The library's steps leave Subject, Preheader and bodies empty: the
// renderer then uses its default texts in each subscriber's language
// (an alert for the first step, a reminder for later ones). A merchant's own
// text, once set, applies to every language. The alert has smart sending
// off; the follow-ups have it on (FollowUpEmailSmartSendingHours,
// FollowUpSMSSmartSendingHours).
func FlowFromTemplate(shopID int64, template string) (*Flow, error) {
	alert := FlowStep{Channel: ChannelEmail}
	var steps []FlowStep
	switch template {
	case TemplateEmailOnly:
		steps = []FlowStep{alert}
	case TemplateEmailThenSMS:
		text := FlowStep{Channel: ChannelSMS, Delay: time.Hour, SkipIfOutOfStock: true, SmartSendingHours: FollowUpSMSSmartSendingHours}
		steps = []FlowStep{alert, text}
	case TemplateEmailReminder:
		reminder := FlowStep{Channel: ChannelEmail, Delay: 24 * time.Hour, SkipIfOutOfStock: true, SmartSendingHours: FollowUpEmailSmartSendingHours}
		steps = []FlowStep{alert, reminder}
	default:
		return nil, FieldErrorf("template", "Unknown flow template %q.", template)
	}
	return &Flow{ShopID: shopID, Status: FlowLive, Template: template, Steps: steps}, nil
}

// DefaultFlow is the flow of a shop that never stored one.
func DefaultFlow(shopID int64) *Flow {
	flow, _ := FlowFromTemplate(shopID, DefaultFlowTemplate)
	return flow
}

// Validate returns an EINVALID error naming the first bad field.
func (f *Flow) Validate() error {
	switch f.Status {
	case FlowLive, FlowManual, FlowDraft:
	default:
		return FieldErrorf("status", "Flow status must be live, manual or draft, got %q.", f.Status)
	}
	if len(f.Steps) < MinFlowSteps || len(f.Steps) > MaxFlowSteps {
		return FieldErrorf("steps", "A flow has %d to %d messages, got %d.", MinFlowSteps, MaxFlowSteps, len(f.Steps))
	}
	for i, step := range f.Steps {
		if err := step.validate(fmt.Sprintf("steps[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func (s *FlowStep) validate(field string) error {
	if s.Channel != ChannelEmail && s.Channel != ChannelSMS {
		return FieldErrorf(field+".channel", "A message is sent by email or SMS, got %q.", s.Channel)
	}
	if s.Delay < 0 || s.Delay > MaxStepDelay {
		return FieldErrorf(field+".delay", "A delay is between 0 and %s, got %s.", ShortDuration(MaxStepDelay), ShortDuration(s.Delay))
	}
	if s.SmartSendingHours < 0 || s.SmartSendingHours > MaxSmartSendingHours {
		return FieldErrorf(field+".smart_sending_hours", "Smart sending is 0 (off) to %d hours, got %d.", MaxSmartSendingHours, s.SmartSendingHours)
	}
	if err := (StepText{Subject: s.Subject, Preheader: s.Preheader, Body: s.Body, HTML: s.HTML}).validate(field); err != nil {
		return err
	}
	for _, lang := range slices.Sorted(maps.Keys(s.Translations)) {
		if !languageCode.MatchString(lang) {
			return FieldErrorf(field+".translations", "A translation is keyed by a language code such as fr, got %q.", lang)
		}
		if err := s.Translations[lang].validate(field + ".translations." + lang); err != nil {
			return err
		}
	}
	return nil
}

// MaxStepLine is the most characters of a message's subject and preheader;
// MaxStepText of its body and HTML (an email over about 100 KB is clipped
// by Gmail).
const (
	MaxStepLine = 1000
	MaxStepText = 100_000
)

// validate checks the texts' lengths, naming field.subject and so on.
func (t StepText) validate(field string) error {
	texts := []struct {
		name, text string
		max        int
	}{{"subject", t.Subject, MaxStepLine}, {"preheader", t.Preheader, MaxStepLine}, {"body", t.Body, MaxStepText}, {"html", t.HTML, MaxStepText}}
	for _, x := range texts {
		if n := utf8.RuneCountInString(x.text); n > x.max {
			return FieldErrorf(field+"."+x.name, "A message's %s has at most %s characters, got %d.", x.name, thousands(x.max), n)
		}
	}
	return nil
}

// thousands writes n with commas: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// languageCode is a lower-case ISO 639 language code.
var languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)
