package delivery

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"regexp"
	"strings"
	texttemplate "text/template"
)

// fieldGroup is a value of TemplateData that holds fields of its own
// (.Shop, .Variant, .Contact), as templates name it.
type fieldGroup struct {
	path   string // ".Variant"
	goType string // the Go type's name, as template errors print it
	fields []string
}

// fieldGroups are the grouped template fields, in the order
// docs/delivery.md lists them.
var fieldGroups = []fieldGroup{
	{".Shop", reflect.TypeFor[ShopData]().String(), []string{"Name", "URL"}},
	{".Variant", reflect.TypeFor[VariantData]().String(), []string{"ProductTitle", "Title", "Price", "Currency", "PriceWithCurrency", "ImageURL", "SKU"}},
	{".Contact", reflect.TypeFor[ContactData]().String(), []string{"Email", "Phone"}},
}

// topFields are the template fields that are not in a group.
var topFields = []string{".ProductURL", ".ShortURL", ".UnsubscribeURL", ".Subject", ".Preheader", ".Locale"}

// TemplateFields lists the fields a flow's texts may use, as
// docs/delivery.md documents them, .T's phrases last.
func TemplateFields() []string {
	return append(dataFields(), phraseFields()...)
}

// dataFields are the template fields but .T's phrases.
func dataFields() []string {
	var out []string
	for _, g := range fieldGroups {
		out = append(out, g.paths()...)
	}
	return append(out, topFields...)
}

func (g fieldGroup) paths() []string {
	out := make([]string, len(g.fields))
	for i, f := range g.fields {
		out[i] = g.path + "." + f
	}
	return out
}

// phraseFields are .T's phrases of the default wording: .T.Subject and so on.
func phraseFields() []string {
	t := reflect.TypeFor[phrases]()
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = ".T." + t.Field(i).Name
	}
	return out
}

var (
	// execErrorPattern reads text/template's "template: body:2:10: executing
	// "body" at <.Variant.Colour>: can't evaluate field Colour in type …".
	execErrorPattern = regexp.MustCompile(`^template: [^:]*:(\d+):\d+: executing "[^"]*" at <(.*?)>: (.*)$`)
	unknownField     = regexp.MustCompile(`^can't evaluate field (\w+) in type (\S+)$`)
	unknownPhrase    = regexp.MustCompile(`^map has no entry for key "([^"]*)"$`)
	positionPrefix   = regexp.MustCompile(`^(?:html/)?template: ?[^:]*:(\d+)(?::\d+)?: `)
	goTypeName       = regexp.MustCompile(`\*?delivery\.\w+`)
	escaperState     = regexp.MustCompile(`\{state\w*[^}]*\}`)
)

// explainTemplateError words a template's parse or execution error for the
// merchant: the line, what the text uses and, for a field that does not
// exist, the fields that can be used; never the Go types behind the data.
func explainTemplateError(err error) string {
	var exec texttemplate.ExecError
	if errors.As(err, &exec) {
		if m := execErrorPattern.FindStringSubmatch(exec.Err.Error()); m != nil {
			return explainExec(m[1], m[2], m[3])
		}
	}
	var html *htmltemplate.Error
	if errors.As(err, &html) {
		return explainHTML(html)
	}
	msg := err.Error()
	if m := positionPrefix.FindStringSubmatch(msg); m != nil {
		msg = strings.TrimPrefix(msg, m[0]) + " (line " + m[1] + ")"
	}
	return plainTypes(msg) + "."
}

// explainHTML words html/template's escaping errors, whose descriptions
// print the escaper's inner state for a text that ends inside a tag.
func explainHTML(err *htmltemplate.Error) string {
	msg := err.Description
	switch err.ErrorCode {
	case htmltemplate.ErrEndContext:
		msg = "it ends inside a tag, an attribute, a comment or a script that is not closed"
	case htmltemplate.ErrBranchEnd:
		msg = "the branches of an {{if}}, {{with}} or {{range}} end in different places of a tag or attribute"
	default:
		msg = escaperState.ReplaceAllString(msg, "an unclosed tag or attribute")
	}
	if err.Line > 0 {
		msg += fmt.Sprintf(" (line %d)", err.Line)
	}
	return plainTypes(msg) + "."
}

// explainExec words an execution error at action on line.
func explainExec(line, action, detail string) string {
	if !strings.HasPrefix(action, "{{") {
		action = "{{" + action + "}}"
	}
	if m := unknownField.FindStringSubmatch(detail); m != nil {
		return fmt.Sprintf("it uses %s on line %s, but %s. Fields that can be used: %s.",
			action, line, noField(m[1], m[2]), listFields(fieldsOf(m[2])))
	}
	if m := unknownPhrase.FindStringSubmatch(detail); m != nil {
		return fmt.Sprintf("it uses %s on line %s, but the default wording has no phrase %s. Phrases that can be used: %s.",
			action, line, m[1], listFields(phraseFields()))
	}
	if strings.HasPrefix(detail, "range can't iterate over ") {
		return fmt.Sprintf("it uses {{range %s}} on line %s, but %s is not a list.", strings.Trim(action, "{}"), line, strings.Trim(action, "{}"))
	}
	return fmt.Sprintf("it uses %s on line %s, which cannot be run: %s.", action, line, plainTypes(detail))
}

// noField says which value lacks the field name.
func noField(name, goType string) string {
	for _, g := range fieldGroups {
		if g.goType == goType {
			return g.path + " has no field " + name
		}
	}
	return "there is no field " + name
}

// fieldsOf lists a group's fields for its Go type, or every field.
func fieldsOf(goType string) []string {
	for _, g := range fieldGroups {
		if g.goType == goType {
			return g.paths()
		}
	}
	return append(dataFields(), ".T.Subject and the other phrases of the default wording")
}

// listFields writes "a, b and c".
func listFields(fields []string) string {
	if len(fields) < 2 {
		return strings.Join(fields, "")
	}
	return strings.Join(fields[:len(fields)-1], ", ") + " and " + fields[len(fields)-1]
}

// plainTypes names the template data's Go types as templates name them:
// .Variant for delivery.VariantData, "the message" for the whole.
func plainTypes(s string) string {
	return goTypeName.ReplaceAllStringFunc(s, func(name string) string {
		for _, g := range fieldGroups {
			if g.goType == name {
				return g.path
			}
		}
		return "the message"
	})
}
