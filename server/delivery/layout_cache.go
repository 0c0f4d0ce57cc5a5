package delivery

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	htmltemplate "html/template"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/template/parse"
)

// maxCachedLayouts bounds the rendered layouts kept per layout; the cache
// is emptied when it fills.
const maxCachedLayouts = 1024

// A default layout (the text and the HTML body) is the same for every
// message of a job but for two links: the product link, with each
// message's click id, and the unsubscribe link. So a layout is rendered
// once with stand-ins for the two links, kept by everything else it reads,
// and each message gets the kept text with its own links written where
// the stand-ins were, escaped as the template escapes them there: the
// same bytes as rendering the whole layout for the message.

// linkSlot is one of the per-message links a layout writes.
type linkSlot int

const (
	productSlot linkSlot = iota
	unsubscribeSlot
)

// slotFields are the TemplateData fields of the link slots.
var slotFields = [...]string{productSlot: "ProductURL", unsubscribeSlot: "UnsubscribeURL"}

// layoutRoots are the fields a kept layout may read besides the link
// slots; each is part of the key it is kept by (T's phrases by name).
var layoutRoots = map[string]bool{"Locale": true, "Subject": true, "Preheader": true, "CustomText": true,
	"CustomParagraphs": true, "Shop": true, "Variant": true}

// layout renders one default layout, keeping its renderings when its
// template allows (keeps).
type layout struct {
	run func(data *TemplateData) (string, error)
	// escape writes a link as the template writes it in its slots.
	escape func(link string) string
	// keeps is whether the template reads only layoutRoots, T's phrases
	// and the slots, each slot written whole by an action escaped as
	// escape does.
	keeps    bool
	phrases  []string // the T phrases the template reads, by name
	standIn  string   // a slot's stand-in is standIn followed by its number
	rendered sync.Map // layoutKey -> *keptLayout
	size     atomic.Int64
}

// layoutKey is everything a kept layout reads but the links.
type layoutKey struct {
	locale, subject, preheader, customText string
	shop                                   ShopData
	variant                                VariantData
	phrases                                string // the phrases read, each length-prefixed ("-" if missing)
}

// keptLayout is a rendering split at its link slots: parts[i] comes before
// slots[i], and the last part after the last slot.
type keptLayout struct {
	parts []string
	slots []linkSlot
}

// newTextLayout keeps renderings of a text/template layout, whose actions
// write a link as it is.
func newTextLayout(tree *parse.Tree, run func(*TemplateData) (string, error)) *layout {
	l := &layout{run: run, escape: func(link string) string { return link }, standIn: newStandIn()}
	l.phrases, l.keeps = scanLayout(tree, nil)
	return l
}

// newHTMLLayout keeps renderings of an html/template layout whose link
// slots are all whole href attribute values, escaped as hrefLink escapes.
func newHTMLLayout(tmpl *htmltemplate.Template, run func(*TemplateData) (string, error)) *layout {
	l := &layout{run: run, escape: hrefLink, standIn: newStandIn()}
	// Escaping happens at the first execution and rewrites the tree: each
	// action gains the escapers of its context, which scanLayout compares.
	_ = tmpl.Execute(discard{}, &TemplateData{})
	chain := hrefEscapers()
	l.phrases, l.keeps = scanLayout(tmpl.Tree, chain)
	l.keeps = l.keeps && chain != nil && hrefLink(l.standIn+"0") == l.standIn+"0"
	return l
}

// render renders the layout for data, from a kept rendering when there
// is one.
func (l *layout) render(data *TemplateData) (string, error) {
	if !l.keeps {
		return l.run(data)
	}
	key := l.key(data)
	kept, ok := l.rendered.Load(key)
	if !ok {
		standIns := *data
		standIns.ProductURL, standIns.UnsubscribeURL = l.standIn+"0", l.standIn+"1"
		s, err := l.run(&standIns)
		split, ok := l.split(s)
		if err != nil || !ok {
			return l.run(data) // the message's own error
		}
		kept = l.keep(key, split)
	}
	return kept.(*keptLayout).fill([...]string{productSlot: l.escape(data.ProductURL), unsubscribeSlot: l.escape(data.UnsubscribeURL)}), nil
}

func (l *layout) key(data *TemplateData) layoutKey {
	var phrases strings.Builder
	for _, name := range l.phrases {
		v, ok := data.T[name]
		if !ok {
			phrases.WriteByte('-') // missing, which the template refuses: not the empty phrase
			continue
		}
		phrases.WriteString(strconv.Itoa(len(v)))
		phrases.WriteByte(':')
		phrases.WriteString(v)
	}
	return layoutKey{locale: data.Locale, subject: data.Subject, preheader: data.Preheader, customText: data.CustomText,
		shop: data.Shop, variant: data.Variant, phrases: phrases.String()}
}

func (l *layout) keep(key layoutKey, kept *keptLayout) *keptLayout {
	if l.size.Add(1) > maxCachedLayouts {
		l.rendered.Clear()
		l.size.Store(1)
	}
	l.rendered.Store(key, kept)
	return kept
}

// split cuts a rendering at its stand-ins; ok is false for a stand-in
// not followed by a slot's number (never written by render).
func (l *layout) split(s string) (kept *keptLayout, ok bool) {
	kept = &keptLayout{}
	for {
		i := strings.Index(s, l.standIn)
		if i < 0 {
			kept.parts = append(kept.parts, s)
			return kept, true
		}
		end := i + len(l.standIn)
		if end >= len(s) || s[end] < '0' || int(s[end]-'0') >= len(slotFields) {
			return nil, false
		}
		kept.parts = append(kept.parts, s[:i])
		kept.slots = append(kept.slots, linkSlot(s[end]-'0'))
		s = s[end+1:]
	}
}

// fill writes the rendering with links in its slots.
func (k *keptLayout) fill(links [len(slotFields)]string) string {
	n := 0
	for _, p := range k.parts {
		n += len(p)
	}
	for _, s := range k.slots {
		n += len(links[s])
	}
	var b strings.Builder
	b.Grow(n)
	for i, s := range k.slots {
		b.WriteString(k.parts[i])
		b.WriteString(links[s])
	}
	b.WriteString(k.parts[len(k.parts)-1])
	return b.String()
}

// newStandIn returns a link no message contains (random for the process),
// which every escaper of a URL attribute leaves as it is.
func newStandIn() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "https://stand-in.invalid/" + hex.EncodeToString(b[:]) + "/"
}

// hrefTemplate escapes a link as a whole href attribute value.
var hrefTemplate = htmltemplate.Must(htmltemplate.New("href").Parse(`<a href="{{.}}">`))

const hrefBefore, hrefAfter = `<a href="`, `">`

// hrefLink is link as html/template writes it as a whole href value.
func hrefLink(link string) string {
	if out, ok := plainHrefLink(link); ok {
		return out
	}
	var b bytes.Buffer
	if err := hrefTemplate.Execute(&b, link); err != nil {
		return "#ZgotmplZ" // what html/template writes for a link it refuses; never reached for a string
	}
	return strings.TrimSuffix(strings.TrimPrefix(b.String(), hrefBefore), hrefAfter)
}

// plainHrefLink writes an http or https link made only of the characters
// Stockbell's links are made of (letters, digits, "-._~/:?=#,;@!$*",
// percent escapes, "&" and "+") without running the template: its escapers
// pass the scheme, leave these characters as they are, and write "&" and
// "+" as "&amp;" and "&#43;" (TestPlainHrefLink compares the two). ok is
// false for any other link.
func plainHrefLink(link string) (out string, ok bool) {
	if !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		return "", false
	}
	entities := 0
	for i := 0; i < len(link); i++ {
		switch c := link[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~/:?=#,;@!$*", c) >= 0:
		case c == '%' && i+2 < len(link) && isHexDigit(link[i+1]) && isHexDigit(link[i+2]):
		case c == '&' || c == '+':
			entities++
		default:
			return "", false
		}
	}
	if entities == 0 {
		return link, true
	}
	return hrefEntities.Replace(link), true
}

var hrefEntities = strings.NewReplacer("&", "&amp;", "+", "&#43;")

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// hrefEscapers are the escapers html/template gives a whole href value.
func hrefEscapers() []string {
	_ = hrefTemplate.Execute(discard{}, "")
	if len(hrefTemplate.Tree.Root.Nodes) != 3 {
		return nil
	}
	action, ok := hrefTemplate.Tree.Root.Nodes[1].(*parse.ActionNode)
	if !ok {
		return nil
	}
	return commandNames(action.Pipe.Cmds[1:])
}

func commandNames(cmds []*parse.CommandNode) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.String()
	}
	return out
}

// discard is an io.Writer that keeps nothing.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// scanLayout reports the T phrases a layout's tree reads and whether its
// renderings can be kept: it reads nothing outside layoutRoots, T's
// phrases by name and the link slots, and writes each slot whole in an
// action whose escapers are chain (none for a text layout).
func scanLayout(tree *parse.Tree, chain []string) ([]string, bool) {
	s := &layoutScan{chain: chain, phrases: map[string]bool{}}
	if tree == nil || !s.walk(tree.Root, false) {
		return nil, false
	}
	names := make([]string, 0, len(s.phrases))
	for name := range s.phrases {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, true
}

// layoutScan is scanLayout's walk over a tree.
type layoutScan struct {
	chain   []string
	phrases map[string]bool
}

// walk checks node; inner is whether dot has been rebound to a field
// already read (inside with or range), where reading dot is allowed.
func (s *layoutScan) walk(node parse.Node, inner bool) bool {
	switch n := node.(type) {
	case nil:
		return true
	case *parse.ListNode:
		return n == nil || !slices.ContainsFunc(n.Nodes, func(c parse.Node) bool { return !s.walk(c, inner) })
	case *parse.TextNode, *parse.CommentNode, *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode, *parse.IdentifierNode:
		return true
	case *parse.ActionNode:
		if slotAction(n.Pipe, inner) {
			return slices.Equal(commandNames(n.Pipe.Cmds[1:]), s.chain)
		}
		return s.walk(n.Pipe, inner)
	case *parse.PipeNode:
		return n == nil || len(n.Decl) == 0 && !slices.ContainsFunc(n.Cmds, func(c *parse.CommandNode) bool {
			return slices.ContainsFunc(c.Args, func(a parse.Node) bool { return !s.walk(a, inner) })
		})
	case *parse.IfNode:
		return s.walk(n.Pipe, inner) && s.walk(n.List, inner) && s.walk(n.ElseList, inner)
	case *parse.WithNode:
		return s.walk(n.Pipe, inner) && s.walk(n.List, true) && s.walk(n.ElseList, inner)
	case *parse.RangeNode:
		return s.walk(n.Pipe, inner) && s.walk(n.List, true) && s.walk(n.ElseList, inner)
	case *parse.FieldNode:
		return inner || s.reads(n.Ident)
	case *parse.VariableNode:
		return len(n.Ident) > 1 && n.Ident[0] == "$" && s.reads(n.Ident[1:])
	case *parse.DotNode:
		return inner
	}
	return false
}

// reads records a field path read from the top of the data and says
// whether a kept layout may read it.
func (s *layoutScan) reads(path []string) bool {
	if path[0] == "T" {
		if len(path) != 2 {
			return false
		}
		s.phrases[path[1]] = true
		return true
	}
	return layoutRoots[path[0]]
}

// slotAction reports whether an action's pipeline writes a link slot
// whole, as its first command's only argument ({{.ProductURL}} or
// {{$.ProductURL}}), escapers after it.
func slotAction(pipe *parse.PipeNode, inner bool) bool {
	if pipe == nil || len(pipe.Decl) != 0 || len(pipe.Cmds) == 0 || len(pipe.Cmds[0].Args) != 1 {
		return false
	}
	var path []string
	switch a := pipe.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		if inner {
			return false
		}
		path = a.Ident
	case *parse.VariableNode:
		if len(a.Ident) < 2 || a.Ident[0] != "$" {
			return false
		}
		path = a.Ident[1:]
	default:
		return false
	}
	return len(path) == 1 && slices.Contains(slotFields[:], path[0])
}
