package web

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// flowLanguages are the languages the flow form always offers texts for,
// beside the step's own texts (which every other language reads).
var flowLanguages = []flowLanguage{{"fr", "French"}, {"de", "German"}, {"es", "Spanish"}}

type flowLanguage struct{ Code, Name string }

// languageName is the English name of a language code the merchant added
// ("it": "Italian"), or the code itself when it names no known language.
func languageName(code string) string {
	base, err := language.ParseBase(code)
	if err != nil || base.String() == "und" {
		return code
	}
	if name := display.English.Languages().Name(base); name != "" {
		return name
	}
	return code
}

// flowForm is the flow page's form: the flow as shown (saved, or as typed
// after a refused post) and the error of the field that was wrong.
type flowForm struct {
	Flow       *stockbell.Flow
	Steps      []stepForm
	Error      string
	ErrorField string // a form field name such as s2_delay
	Notice     string
	Alert      string // a choice that did nothing (a batch that waits for no approval)
	Templates  []string
	TestTo     string
	// Version is the form's flow_version: the changeVersion of the saved
	// flow it was made from ("0": never stored), so that a save refuses to
	// overwrite a flow changed elsewhere meanwhile.
	Version string
}

// stepForm is one message of the form.
type stepForm struct {
	N int // from 1
	// Saved is the number of the saved message this one shows (0: none, a
	// message added or from a template), whose translations' custom HTML
	// a form that does not carry it (no sN_translation_html) keeps.
	Saved int
	// TranslationHTML is the custom HTML of the message's translations,
	// which the form carries without showing it (translationHTMLField), so
	// that the message keeps its own whatever became of the saved flow.
	TranslationHTML string
	Step            stockbell.FlowStep
	Delay           string
	SmartHours      string
	Languages       []languageForm // also the languages the preview offers, beside English
	Preview         string         // the preview's language
	// Other holds the texts under "Another language" while their code is refused.
	Other otherLanguageForm
	// LanguagesOpen shows the other languages' texts: some are written, or one is wrong.
	LanguagesOpen bool
}

// otherLanguageForm is the "Another language" part of a message.
type otherLanguageForm struct{ Code, Subject, Body string }

type languageForm struct {
	flowLanguage
	Text stockbell.StepText
}

// newFlowForm shows a flow.
func newFlowForm(flow *stockbell.Flow) *flowForm {
	f := &flowForm{Flow: flow, Templates: stockbell.FlowTemplates(), Version: changeVersion(flow.UpdatedAt)}
	for i, step := range flow.Steps {
		sf := stepForm{N: i + 1, Saved: i + 1, Step: step, Delay: ShortDuration(step.Delay), SmartHours: strconv.Itoa(step.SmartSendingHours)}
		if step.Delay == 0 {
			sf.Delay = "0"
		}
		langs := slices.Clone(flowLanguages)
		for code := range step.Translations {
			if !slices.ContainsFunc(langs, func(l flowLanguage) bool { return l.Code == code }) {
				langs = append(langs, flowLanguage{Code: code, Name: languageName(code)})
			}
		}
		for _, l := range langs {
			sf.Languages = append(sf.Languages, languageForm{flowLanguage: l, Text: step.Translations[l.Code]})
		}
		sf.LanguagesOpen = len(step.Translations) > 0
		sf.TranslationHTML = encodeTranslationHTML(step.Translations)
		f.Steps = append(f.Steps, sf)
	}
	return f
}

// keepTyped shows the posted values as they were typed where the flow read
// from them cannot: a wait or a smart sending written its own way or not
// read at all, a language code under "Another language" and the texts
// there whose code was refused; and keeps the merchant's choices. postedAs
// says which posted message each message shown was.
func (f *flowForm) keepTyped(form url.Values, postedAs postedNumber) {
	for i := range f.Steps {
		sf := &f.Steps[i]
		field := func(name string) string { return stepField(postedAs(sf.N), name) }
		sf.Saved = 0
		if form.Has(field("channel")) {
			sf.Saved = savedNumber(form, postedAs(sf.N))
		}
		if form.Has(field("delay")) {
			sf.Delay = strings.TrimSpace(form.Get(field("delay")))
		}
		if form.Has(field("smart_hours")) {
			sf.SmartHours = strings.TrimSpace(form.Get(field("smart_hours")))
		}
		sf.Other = otherLanguageForm{Code: form.Get(field("other_lang")), Subject: form.Get(field("other_subject")), Body: form.Get(field("other_body"))}
		if sf.Other.Subject != "" || sf.Other.Body != "" {
			sf.LanguagesOpen = true
		}
	}
	f.keepChoices(form, postedAs)
}

// keepChoices keeps what the merchant chose to look at and where tests go,
// which are not part of the flow and never saved: each preview's language
// and the test address.
func (f *flowForm) keepChoices(form url.Values, postedAs postedNumber) {
	for i := range f.Steps {
		f.Steps[i].Preview = form.Get(stepField(postedAs(f.Steps[i].N), "preview"))
	}
	f.TestTo = strings.TrimSpace(form.Get("test_to"))
}

// postedNumber maps a message shown to the number it had in the posted
// form (a message just added has none in it).
type postedNumber func(n int) int

// samePlace: every message shown is the posted message of its number.
func samePlace(n int) int { return n }

// afterRemoving: the messages after the removed one move up by one.
func afterRemoving(removed int) postedNumber {
	return func(n int) int {
		if n >= removed {
			return n + 1
		}
		return n
	}
}

// showError records the refused field's error and opens the step's other
// languages when the error is in one of them.
func (f *flowForm) showError(message, field string) {
	f.Error, f.ErrorField = message, field
	for i := range f.Steps {
		rest, ok := strings.CutPrefix(field, stepField(f.Steps[i].N, ""))
		if code, _, found := strings.Cut(rest, "_"); ok && found && (otherLanguage.MatchString(code) || code == "other") {
			f.Steps[i].LanguagesOpen = true
		}
	}
}

// stepField names a step's form field: s1_subject, s2_fr_body.
func stepField(n int, name string) string { return "s" + strconv.Itoa(n) + "_" + name }

var otherLanguage = regexp.MustCompile(`^[a-z]{2,3}$`)

// parseFlowForm reads the flow from the posted fields, what the form
// carries without showing it (a translation's custom HTML) included, or,
// from a form that does not carry it, the saved message's each message
// shows; its UpdatedAt is the version the form was made from.
// A field that is not a number or a duration is an EINVALID error naming
// the form field; the flow is still read whole, every other field as
// typed, so that the form can be shown again as it was.
func parseFlowForm(form url.Values, saved *stockbell.Flow) (*stockbell.Flow, error) {
	flow := &stockbell.Flow{ShopID: saved.ShopID, Status: stockbell.FlowStatus(form.Get("status")), Template: saved.Template,
		UpdatedAt: seenVersion(form, "flow_version", saved.UpdatedAt)}
	var first error
	for n := 1; n <= stockbell.MaxFlowSteps && form.Has(stepField(n, "channel")); n++ {
		var old stockbell.FlowStep
		if i := savedNumber(form, n); i >= 1 && i <= len(saved.Steps) {
			old = saved.Steps[i-1]
		}
		step, err := parseStep(form, n, old)
		if first == nil {
			first = err
		}
		flow.Steps = append(flow.Steps, step)
	}
	return flow, first
}

// savedNumber is the number of the saved message that the form's message n
// shows: its sN_saved field (s2_saved), else n (a form that does not say).
func savedNumber(form url.Values, n int) int {
	if !form.Has(stepField(n, "saved")) {
		return n
	}
	i, _ := strconv.Atoi(form.Get(stepField(n, "saved")))
	return i
}

// parseStep reads message n, every field of it, and returns the first
// field that did not read.
func parseStep(form url.Values, n int, old stockbell.FlowStep) (stockbell.FlowStep, error) {
	get := func(name string) string { return strings.TrimSpace(form.Get(stepField(n, name))) }
	step := stockbell.FlowStep{Channel: stockbell.Channel(get("channel")), SkipIfOutOfStock: get("skip_oos") != "",
		Subject: get("subject"), Preheader: get("preheader"), Body: strings.TrimSpace(form.Get(stepField(n, "body"))),
		HTML: strings.TrimSpace(form.Get(stepField(n, "html")))}
	var first error
	if delay := get("delay"); delay != "" && delay != "0" {
		d, err := time.ParseDuration(delay)
		if err != nil {
			first = stockbell.FieldErrorf(stepField(n, "delay"), "Write the wait as a duration such as 0, 30m, 2h or 24h, not %q.", delay)
		}
		step.Delay = d
	}
	if hours := get("smart_hours"); hours != "" {
		h, err := strconv.Atoi(hours)
		if err != nil && first == nil {
			first = stockbell.FieldErrorf(stepField(n, "smart_hours"), "Smart sending is a whole number of hours, not %q.", hours)
		}
		step.SmartSendingHours = h
	}
	var err error
	if step.Translations, err = parseTranslations(form, n, old.Translations); first == nil {
		first = err
	}
	return step, first
}

// parseTranslations reads each offered language's texts, and those of a
// language code typed in the "other language" field.
func parseTranslations(form url.Values, n int, old map[string]stockbell.StepText) (map[string]stockbell.StepText, error) {
	err := moveOtherLanguage(form, n)
	html, htmlErr := translationHTML(form, n, old)
	if err == nil {
		err = htmlErr
	}
	codes := slices.Collect(maps.Keys(html))
	for key := range form {
		if rest, ok := strings.CutPrefix(key, stepField(n, "")); ok {
			if code, field, ok := strings.Cut(rest, "_"); ok && otherLanguage.MatchString(code) && (field == "subject" || field == "body" || field == "preheader") {
				codes = append(codes, code)
			}
		}
	}
	out := map[string]stockbell.StepText{}
	for _, code := range codes {
		text := stockbell.StepText{Subject: strings.TrimSpace(form.Get(stepField(n, code+"_subject"))),
			Preheader: strings.TrimSpace(form.Get(stepField(n, code+"_preheader"))),
			Body:      strings.TrimSpace(form.Get(stepField(n, code+"_body"))), HTML: html[code]}
		if text != (stockbell.StepText{}) {
			out[code] = text
		}
	}
	if len(out) == 0 {
		return nil, err
	}
	return out, err
}

// moveOtherLanguage files the texts written under "another language" as
// that language's fields (s1_it_subject, s1_it_body), and takes them out
// of "another language". Texts without a valid code are refused, naming
// the code's field, rather than dropped.
func moveOtherLanguage(form url.Values, n int) error {
	code := strings.ToLower(strings.TrimSpace(form.Get(stepField(n, "other_lang"))))
	subject, body := form.Get(stepField(n, "other_subject")), form.Get(stepField(n, "other_body"))
	if strings.TrimSpace(subject) == "" && strings.TrimSpace(body) == "" {
		return nil
	}
	if !otherLanguage.MatchString(code) {
		return stockbell.FieldErrorf(stepField(n, "other_lang"),
			"Give the language of the texts under Another language as a two- or three-letter code, such as it or pt (got %q).", code)
	}
	form.Set(stepField(n, code+"_subject"), subject)
	form.Set(stepField(n, code+"_body"), body)
	for _, name := range []string{"other_lang", "other_subject", "other_body"} {
		form.Del(stepField(n, name))
	}
	return nil
}

// formField maps a domain field (steps[1].delay) to its form field (s2_delay).
func formField(domain string) string {
	var i int
	if _, err := fmt.Sscanf(domain, "steps[%d].", &i); err != nil {
		return domain
	}
	name := domain[strings.Index(domain, "].")+2:]
	switch name {
	case "smart_sending_hours":
		name = "smart_hours"
	case "translations":
		name = "other_lang"
	}
	return stepField(i+1, name)
}
