package store

import (
	"database/sql/driver"
	"fmt"
	"regexp"
	"sync"

	"modernc.org/sqlite"
)

// registerSQLiteFunctions gives the connections the driver opens the
// functions the store's SQL calls beyond SQLite's own. SQLite parses `text
// REGEXP pattern` but brings no function for it (PostgreSQL's is ~); the
// privacy search finds a phone number's punctuated spellings with it
// (contactSearch).
func registerSQLiteFunctions(d *sqlite.Driver) {
	d.MustRegisterDeterministicScalarFunction("regexp", 2, sqliteRegexp)
}

// sqliteRegexp is SQLite's regexp(pattern, text): whether text (a string
// or bytes) holds a match of pattern, in Go's syntax (linear in the text);
// NULL for a NULL text.
func sqliteRegexp(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	pattern, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("regexp: the pattern is %T, not text", args[0])
	}
	re, err := compiledRegexps.get(pattern)
	if err != nil {
		return nil, err
	}
	switch text := args[1].(type) {
	case nil:
		return nil, nil
	case string:
		return re.MatchString(text), nil
	case []byte:
		return re.Match(text), nil
	default:
		return nil, fmt.Errorf("regexp: the text is %T", args[1])
	}
}

// regexpCache keeps the patterns compiled: SQLite calls the function once
// per row, with the same pattern.
type regexpCache struct {
	mu       sync.Mutex
	compiled map[string]*regexp.Regexp
}

// maxCachedRegexps bounds the cache; each erasure brings new patterns.
const maxCachedRegexps = 64

var compiledRegexps = &regexpCache{compiled: map[string]*regexp.Regexp{}}

func (c *regexpCache) get(pattern string) (*regexp.Regexp, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if re, ok := c.compiled[pattern]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	if len(c.compiled) >= maxCachedRegexps {
		clear(c.compiled)
	}
	c.compiled[pattern] = re
	return re, nil
}
