package delivery

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"text/template/parse"
)

// maxCachedPhraseSets bounds the rendered wordings kept; the cache is
// emptied when it fills.
const maxCachedPhraseSets = 1024

// sharedFields are the fields of TemplateData that are the same for every
// message of one shop, variant and language. A default phrase that reads
// nothing else (most of them: all but the SMS text with its short link) is
// rendered once per shop, variant and language and kept, not once per
// message: a restock job sends one variant's messages.
var sharedFields = map[string]bool{"Shop": true, "Variant": true, "Locale": true}

// phraseKey is everything a shared phrase can read.
type phraseKey struct {
	lang    string
	shop    ShopData
	variant VariantData
}

// phraseCache keeps the shared phrases rendered, by phraseKey.
type phraseCache struct {
	sets sync.Map // phraseKey -> map[string]string
	size atomic.Int64
}

// sharedPhrases returns the language's shared phrases rendered for data,
// from the cache when they were rendered before.
func (t *Templates) sharedPhrases(lang string, data *TemplateData) (map[string]string, error) {
	key := phraseKey{lang: lang, shop: data.Shop, variant: data.Variant}
	if v, ok := t.phrases.sets.Load(key); ok {
		return v.(map[string]string), nil
	}
	out := map[string]string{}
	for name, tmpl := range t.phrase[lang] {
		if !t.shared[lang][name] {
			continue
		}
		s, err := runText(tmpl, data)
		if err != nil {
			return nil, fmt.Errorf("default %s wording (%s): %w", name, lang, err)
		}
		out[name] = s
	}
	if t.phrases.size.Add(1) > maxCachedPhraseSets {
		t.phrases.sets.Clear()
		t.phrases.size.Store(1)
	}
	t.phrases.sets.Store(key, out)
	return out, nil
}

// renderPhrases sets data.T: the shared phrases from the cache, the others
// rendered for this message. An email of the default layouts alone (see
// defaultEmailReadsShared) gets the cached shared phrases as they are:
// nothing rendering it reads the others (the SMS text), and nothing
// writes to data.T.
func (t *Templates) renderPhrases(lang string, data *TemplateData, defaultEmail bool) error {
	shared, err := t.sharedPhrases(lang, data)
	if err != nil {
		return err
	}
	if defaultEmail && t.defaultEmailReadsShared[lang] {
		data.T = shared
		return nil
	}
	data.T = make(map[string]string, len(t.phrase[lang]))
	maps.Copy(data.T, shared)
	for name, tmpl := range t.phrase[lang] {
		if t.shared[lang][name] {
			continue
		}
		s, err := runText(tmpl, data)
		if err != nil {
			return fmt.Errorf("default %s wording (%s): %w", name, lang, err)
		}
		data.T[name] = s
	}
	return nil
}

// readsOnly reports whether the template tree reads no field of its data
// outside roots. inner is whether dot has been rebound (inside with or
// range over fields already checked), where reading dot is allowed; at
// the top, dot is the whole of the data. Anything it does not know says
// false.
func readsOnly(node parse.Node, roots map[string]bool, inner bool) bool {
	switch n := node.(type) {
	case nil:
		return true
	case *parse.ListNode:
		if n == nil {
			return true
		}
		for _, c := range n.Nodes {
			if !readsOnly(c, roots, inner) {
				return false
			}
		}
		return true
	case *parse.TextNode, *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode:
		return true
	case *parse.ActionNode:
		return readsOnly(n.Pipe, roots, inner)
	case *parse.PipeNode:
		if n == nil {
			return true
		}
		for _, cmd := range n.Cmds {
			for _, arg := range cmd.Args {
				if !readsOnly(arg, roots, inner) {
					return false
				}
			}
		}
		return true
	case *parse.IfNode:
		return readsOnly(n.Pipe, roots, inner) && readsOnly(n.List, roots, inner) && readsOnly(n.ElseList, roots, inner)
	case *parse.WithNode:
		return readsOnly(n.Pipe, roots, inner) && readsOnly(n.List, roots, true) && readsOnly(n.ElseList, roots, inner)
	case *parse.RangeNode:
		return readsOnly(n.Pipe, roots, inner) && readsOnly(n.List, roots, true) && readsOnly(n.ElseList, roots, inner)
	case *parse.FieldNode:
		return inner || roots[n.Ident[0]]
	case *parse.VariableNode:
		return len(n.Ident) > 1 && n.Ident[0] == "$" && roots[n.Ident[1]]
	case *parse.DotNode:
		return inner
	case *parse.ChainNode:
		return readsOnly(n.Node, roots, inner)
	}
	return false
}

// defaultEmailShared reports, for each language, whether an email of
// the default layouts (a step with no template of its own) reads only
// shared phrases: its subject and preheader, and the phrases both layouts
// name (known only for layouts that are kept, whose trees were read).
func (t *Templates) defaultEmailShared() map[string]bool {
	out := map[string]bool{}
	if !t.htmlLayout.keeps || !t.textLayout.keeps {
		return out
	}
	read := slices.Concat([]string{"Subject", "Preheader", "ReminderSubject"}, t.htmlLayout.phrases, t.textLayout.phrases)
	for lang, shared := range t.shared {
		out[lang] = !slices.ContainsFunc(read, func(name string) bool { return !shared[name] })
	}
	return out
}
