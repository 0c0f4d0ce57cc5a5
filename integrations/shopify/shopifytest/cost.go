package shopifytest

import (
	"strconv"
	"strings"
	"unicode"
)

// MaxQueryCost is the most a single query may request: Shopify refuses a
// costlier one (MAX_COST_EXCEEDED) before running it, whatever the bucket
// holds.
const MaxQueryCost = 1000

// RequestedCost is a query's requested cost by Shopify's rules: a scalar
// costs nothing, an object 1 plus what it selects, a connection
// (first:N) 2 plus N times one node's cost, and nodes(ids:) one node's
// cost per id. vars gives the ids' count.
func RequestedCost(query string, vars map[string]any) int {
	p := &costParser{tokens: tokenize(query), vars: vars}
	for p.pos < len(p.tokens) && p.tokens[p.pos] != "{" {
		p.pos++
	}
	if p.pos >= len(p.tokens) {
		return 0
	}
	p.pos++ // the operation's own selection: the root costs nothing
	return p.selection()
}

type costParser struct {
	tokens []string
	pos    int
	vars   map[string]any
}

func (p *costParser) next() string {
	if p.pos >= len(p.tokens) {
		return "}"
	}
	p.pos++
	return p.tokens[p.pos-1]
}

func (p *costParser) peek() string {
	if p.pos >= len(p.tokens) {
		return "}"
	}
	return p.tokens[p.pos]
}

// selection sums the fields up to the closing brace, which it consumes.
func (p *costParser) selection() int {
	total := 0
	for tok := p.next(); tok != "}"; tok = p.next() {
		if tok == "..." { // an inline fragment: its fields count as the object's own
			p.next() // on
			p.next() // the type
			p.next() // {
			total += p.selection()
			continue
		}
		total += p.field(tok)
	}
	return total
}

// connectionNode reads a connection's selection up to its closing brace
// and returns the cost of one of its nodes (nodes{…} or edges{ node{…} });
// pageInfo is not charged.
func (p *costParser) connectionNode() int {
	node := 0
	for tok := p.next(); tok != "}"; tok = p.next() {
		cost := p.field(tok)
		switch tok {
		case "nodes":
			node = cost
		case "edges":
			node = cost - 1
		}
	}
	return node
}

// field is the cost of one field, its name read already.
func (p *costParser) field(name string) int {
	first, ids := 0, 0
	if p.peek() == "(" {
		first, ids = p.arguments()
	}
	if p.peek() != "{" {
		return 0 // a scalar or an enum
	}
	p.next()
	if first > 0 {
		return 2 + first*p.connectionNode()
	}
	inner := p.selection()
	switch {
	case name == "nodes" && ids > 0:
		return ids * (1 + inner)
	}
	return 1 + inner
}

// arguments reads (…) and returns first (or last) and the number of ids.
func (p *costParser) arguments() (first, ids int) {
	p.next() // (
	for depth := 1; depth > 0; {
		tok := p.next()
		switch tok {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		case "first", "last":
			if p.next() == ":" {
				first, _ = strconv.Atoi(p.next())
			}
		case "ids":
			if p.next() == ":" && strings.HasPrefix(p.peek(), "$") {
				list, _ := p.vars[strings.TrimPrefix(p.next(), "$")].([]any)
				ids = len(list)
			}
		}
	}
	return first, ids
}

// tokenize splits a GraphQL document into names, numbers, variables,
// strings and punctuation ("..." is one token).
func tokenize(q string) []string {
	var tokens []string
	for i := 0; i < len(q); {
		c := rune(q[i])
		switch {
		case unicode.IsSpace(c) || c == ',':
			i++
		case strings.HasPrefix(q[i:], "..."):
			tokens, i = append(tokens, "..."), i+3
		case c == '"':
			j := i + 1
			for j < len(q) && q[j] != '"' {
				j++
			}
			tokens, i = append(tokens, q[i:min(j+1, len(q))]), j+1
		case c == '$' || c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c):
			j := i + 1
			for j < len(q) && (q[j] == '_' || unicode.IsLetter(rune(q[j])) || unicode.IsDigit(rune(q[j]))) {
				j++
			}
			tokens, i = append(tokens, q[i:j]), j
		default:
			tokens, i = append(tokens, string(c)), i+1
		}
	}
	return tokens
}
