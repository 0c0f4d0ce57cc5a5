package report

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
)

// reportBody is what a report email says, written once and rendered both
// as its text and as its HTML part.
type reportBody struct {
	// Intro is the sentence above the figures.
	Intro string
	// AsOf, for figures that are those of when the email is written (the
	// waiting list), names that moment in the shop's time zone; "" for a
	// report of its period's days.
	AsOf string
	// Quiet, when nothing happened in the period, says so above the figures.
	Quiet   string
	Figures []figure
	// Notes are the sentences after the figures (each a line of the text).
	Notes []string
}

// figure is one line of a report: its label and value as the HTML table
// shows them, and Text, the line the text part writes. A count is
// right-aligned, so that its digits line up; a sentence is not.
type figure struct {
	Label, Value, Text string
	Count              bool
}

// countFigure is a count in the activity's column layout.
func countFigure(label, value string) figure {
	return figure{Label: label, Value: value, Text: fmt.Sprintf("  %-18s %s", label, value), Count: true}
}

// text writes the body as plain text.
func (b *reportBody) text() string {
	var s strings.Builder
	s.WriteString(b.Intro + "\n")
	if b.Quiet != "" {
		s.WriteString("\n" + b.Quiet + "\n")
	}
	if len(b.Figures) > 0 {
		s.WriteString("\n")
		for _, f := range b.Figures {
			s.WriteString(f.Text + "\n")
		}
	}
	if len(b.Notes) > 0 {
		s.WriteString("\n")
		for _, n := range b.Notes {
			s.WriteString(n + "\n")
		}
	}
	return s.String()
}

// reportEmail is a report email's whole content: the body, the link into
// the admin, and why it is received with the link that stops it.
type reportEmail struct {
	Subject        string
	Body           *reportBody
	AdminLabel     string
	AdminURL       string
	Why            string // why the address receives it (one or two sentences)
	UnsubscribeURL string
}

// text is the email's text part.
func (e *reportEmail) text() string {
	return e.Body.text() + "\n" + e.AdminLabel + ": " + e.AdminURL + "\n" + e.Why + "\nStop receiving it: " + e.UnsubscribeURL + "\n"
}

// html is the email's HTML part: one narrow column with inline styles
// (mail clients drop a page's style sheet), dark text on white, the
// figures in a table that wraps on a phone rather than scrolling sideways.
func (e *reportEmail) html() (string, error) {
	var s strings.Builder
	err := reportHTML.Execute(&s, e)
	return s.String(), err
}

var reportHTML = htmltemplate.Must(htmltemplate.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background:#ffffff;color:#1f2328;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:600px;margin:0 auto;padding:16px;overflow-wrap:anywhere">
<h1 style="font-size:20px;line-height:1.3;margin:0 0 12px">{{.Subject}}</h1>
<p style="margin:0 0 12px">{{.Body.Intro}}</p>
{{with .Body.Quiet}}<p style="margin:0 0 12px;font-weight:bold">{{.}}</p>
{{end}}{{with .Body.Figures}}<table style="width:100%;border-collapse:collapse;margin:0 0 16px">
{{range .}}<tr><th scope="row" style="text-align:left;font-weight:normal;padding:6px 12px 6px 0;border-bottom:1px solid #d0d7de">{{.Label}}</th><td style="text-align:{{if .Count}}right{{else}}left{{end}};padding:6px 0;border-bottom:1px solid #d0d7de">{{.Value}}</td></tr>
{{end}}</table>
{{end}}{{range .Body.Notes}}<p style="margin:0 0 12px">{{.}}</p>
{{end}}<p style="margin:16px 0"><a href="{{.AdminURL}}" style="color:#0b57d0">{{.AdminLabel}}</a></p>
<p style="margin:24px 0 0;color:#57606a;font-size:14px">{{.Why}} <a href="{{.UnsubscribeURL}}" style="color:#0b57d0">Stop receiving it</a></p>
</div>
</body>
</html>
`))
