package store

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sqliteSetting is one setting of the SQLite driver's data source name: a
// pragma every connection runs (_pragma=name(value)) or a driver option
// (name=value).
type sqliteSetting struct {
	name   string
	pragma bool
	// value is Stockbell's; "" leaves SQLite's default unless the URL
	// sets one.
	value string
	// tunable settings take the URL's value; the others only accept a
	// value that restates Stockbell's (accepts says which do).
	tunable bool
	accepts func(string) bool
	// want describes the accepted values, for errors.
	want string
}

// sqliteSettings are the DSN's settings in the order it lists them.
// Stockbell depends on WAL (readers beside the writer), foreign keys,
// immediate transactions (writers queue on busy_timeout instead of
// failing with SQLITE_BUSY) and SQLite's own time format (the stored
// times): a URL may restate those but not change them. What a URL may
// tune: how long a writer waits for the lock, durability (not below
// NORMAL: a committed row must survive the process) and memory.
var sqliteSettings = []sqliteSetting{
	{name: "journal_mode", pragma: true, value: "WAL", accepts: oneOf("WAL")},
	{name: "busy_timeout", pragma: true, value: "10000", tunable: true, accepts: integer(0), want: "milliseconds"},
	{name: "foreign_keys", pragma: true, value: "1", accepts: oneOf("1", "ON", "TRUE", "YES")},
	{name: "synchronous", pragma: true, value: "NORMAL", tunable: true, accepts: oneOf("NORMAL", "FULL", "EXTRA"), want: "NORMAL, FULL or EXTRA"},
	{name: "cache_size", pragma: true, tunable: true, accepts: integer(-1 << 62), want: "pages, or KiB when negative"},
	{name: "mmap_size", pragma: true, tunable: true, accepts: integer(0), want: "bytes"},
	{name: "_txlock", value: "immediate", accepts: oneOf("immediate")},
	{name: "_time_format", value: "sqlite", accepts: oneOf("sqlite")},
}

// sqliteAccepted names what a SQLite URL's query may hold, for errors.
const sqliteAccepted = "_pragma=busy_timeout(MS), _pragma=synchronous(NORMAL|FULL|EXTRA), _pragma=cache_size(N) and _pragma=mmap_size(BYTES)" +
	" (journal_mode(WAL), foreign_keys(1), _txlock=immediate and _time_format=sqlite are set already)"

// pragmaArg reads a _pragma value: name(value) or name=value.
var pragmaArg = regexp.MustCompile(`^\s*([A-Za-z_]+)\s*(?:\(\s*([^()]*?)\s*\)|=\s*(\S+?))\s*$`)

// sqliteDSN returns the driver's data source name for the SQLite file at
// path with the settings of query (a SQLite URL's query): the URL's
// tunings replace Stockbell's, and anything Stockbell does not pass on is
// an error naming it, never dropped.
func sqliteDSN(path, query string) (string, error) {
	given, err := sqliteQuery(query)
	if err != nil {
		return "", err
	}
	var parts, problems []string
	for _, s := range sqliteSettings {
		value, ok := given[s.name]
		switch {
		case ok && !s.accepts(value) && s.tunable:
			problems = append(problems, fmt.Sprintf("%s wants %s, got %q", s.name, s.want, value))
		case ok && !s.accepts(value):
			problems = append(problems, fmt.Sprintf("Stockbell needs %s, got %q", s.format(s.value), value))
		case ok && s.tunable:
			s.value = strings.ToUpper(value)
		}
		if s.value != "" {
			parts = append(parts, s.format(s.value))
		}
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("SQLite URL: %s", strings.Join(problems, "; "))
	}
	return "file:" + path + "?" + strings.Join(parts, "&"), nil
}

// sqliteQuery reads a SQLite URL's query into setting name → value,
// refusing options and pragmas Stockbell does not pass on and a setting
// given twice.
func sqliteQuery(query string) (map[string]string, error) {
	values, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("SQLite URL: malformed query: %v", err)
	}
	given := map[string]string{}
	var unknown, problems []string
	add := func(name, value string) {
		if _, twice := given[name]; twice {
			problems = append(problems, name+" is given twice")
		}
		given[name] = value
	}
	for _, key := range slices.Sorted(maps.Keys(values)) {
		for _, v := range values[key] {
			name, value := key, v
			if key == "_pragma" {
				name, value = "", ""
				if m := pragmaArg.FindStringSubmatch(v); m != nil {
					name, value = strings.ToLower(m[1]), m[2]+m[3]
				}
			}
			if s := findSQLiteSetting(name); s == nil || s.pragma != (key == "_pragma") {
				unknown = append(unknown, strconv.Quote(key+"="+v))
				continue
			}
			add(name, value)
		}
	}
	if len(unknown) > 0 {
		problems = append(problems, fmt.Sprintf("unsupported option %s: Stockbell accepts %s",
			strings.Join(slices.Compact(unknown), ", "), sqliteAccepted))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("SQLite URL: %s", strings.Join(problems, "; "))
	}
	return given, nil
}

func findSQLiteSetting(name string) *sqliteSetting {
	for i := range sqliteSettings {
		if sqliteSettings[i].name == name {
			return &sqliteSettings[i]
		}
	}
	return nil
}

// format writes the setting with value as the DSN lists it.
func (s sqliteSetting) format(value string) string {
	if s.pragma {
		return "_pragma=" + s.name + "(" + value + ")"
	}
	return s.name + "=" + value
}

// oneOf accepts the values given, in any case.
func oneOf(values ...string) func(string) bool {
	return func(v string) bool {
		return slices.ContainsFunc(values, func(w string) bool { return strings.EqualFold(v, w) })
	}
}

// integer accepts a whole number of at least least.
func integer(least int64) func(string) bool {
	return func(v string) bool {
		n, err := strconv.ParseInt(v, 10, 64)
		return err == nil && n >= least
	}
}
