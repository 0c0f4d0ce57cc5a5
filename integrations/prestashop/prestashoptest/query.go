package prestashoptest

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// This file reads a list request's filter, sort and limit as PrestaShop's
// webservice does (WebserviceRequest::manageFilters and
// SQLUtils::getSQLRetrieveFilter), comparing values as MySQL compares a
// column with the quoted text PrestaShop writes into its SQL.

// apiError is a refusal written as PrestaShop writes it.
type apiError struct {
	status, code int
	message      string
}

// fields are the filterable fields of each resource, and i18n its
// multilingual ones (filtered on the shop's languages' values).
var (
	fields = map[string][]string{
		"products":              {"id", "id_default_image", "reference", "price", "active"},
		"combinations":          {"id", "id_product", "reference", "price", "quantity"},
		"stock_availables":      {"id", "id_product", "id_product_attribute", "id_shop", "id_shop_group", "quantity", "depends_on_stock", "out_of_stock", "location"},
		"product_option_values": {"id", "id_attribute_group"},
		"configurations":        {"id", "value", "name"},
		"currencies":            {"id", "iso_code", "name"},
		"shops":                 {"id", "id_shop_group", "id_category", "active", "deleted", "name", "theme_name"},
		"shop_groups":           {"id", "name", "color", "share_customer", "share_order", "share_stock", "active", "deleted"},
		"shop_urls":             {"id", "id_shop", "active", "main", "domain", "domain_ssl", "physical_uri", "virtual_uri"},
	}
	i18n = map[string][]string{
		"products":              {"name", "link_rewrite"},
		"product_option_values": {"name"},
	}
)

// query answers a list request's rows, or PrestaShop's refusal: filters
// first (in the order given), then sort, then limit.
func query(resource string, rows []row, q url.Values) ([]row, *apiError) {
	available := fields[resource]
	if v := q.Get("date"); v != "" && v != "0" { // date_upd is a filter only with date=1
		available = append(append([]string(nil), available...), "date_upd")
	}
	rows, err := filterRows(rows, q, available, i18n[resource])
	if err != nil {
		return nil, err
	}
	if rows, err = sortRows(rows, q, available, i18n[resource]); err != nil {
		return nil, err
	}
	return limitRows(rows, q)
}

// filterRows keeps the rows matching every filter[field]=value.
func filterRows(rows []row, q url.Values, available, multilingual []string) ([]row, *apiError) {
	var keys []string
	for key := range q {
		if strings.HasPrefix(key, "filter[") && strings.HasSuffix(key, "]") {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	for _, key := range keys {
		field, value := key[len("filter["):len(key)-1], q.Get(key)
		switch {
		case !contains(available, field) && !(value != "" && contains(multilingual, field)):
			return nil, didYouMean(400, "This filter does not exist", field, available, 32)
		case value == "":
			return nil, &apiError{400, 33, `The filter "` + field + `" is malformed.`}
		}
		match := condition(value)
		var kept []row
		for _, r := range rows {
			if match(text(r[field])) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	return rows, nil
}

var (
	bracketed = regexp.MustCompile(`^(.*)\[(.*)\](.*)$`)
	interval  = regexp.MustCompile(`^([\d\.:\-\s]+),([\d\.:\-\s]+)$`)
)

// condition is getSQLRetrieveFilter's test of one filter value: [a|b]
// (any of), [a,b] (between), [a] (equal), >[a], <[a], ![a|b] (none of),
// %[a]%, [a]% and %[a] (LIKE); a value without brackets is compared
// whole; any other prefix before the brackets filters nothing.
func condition(value string) func(string) bool {
	m := bracketed.FindStringSubmatch(value)
	if m == nil {
		return func(v string) bool { return compare(v, value) == 0 }
	}
	pre, in, post := m[1], m[2], m[3]
	switch {
	case pre == "%" || post == "%":
		return like(pre + in + post)
	case pre == "" && post == "" && strings.Index(in, "|") > 0:
		values := strings.Split(in, "|")
		return func(v string) bool { return anyEqual(v, values) }
	case pre == "" && post == "":
		if b := interval.FindStringSubmatch(in); b != nil {
			lo, hi := b[1], b[2]
			if number(hi) < number(lo) {
				lo, hi = hi, lo
			}
			return func(v string) bool { return compare(v, lo) >= 0 && compare(v, hi) <= 0 }
		}
		return func(v string) bool { return compare(v, in) == 0 }
	case pre == ">":
		return func(v string) bool { return compare(v, in) > 0 }
	case pre == "<":
		return func(v string) bool { return compare(v, in) < 0 }
	case pre == "!":
		values := strings.Split(in, "|")
		return func(v string) bool { return !anyEqual(v, values) }
	}
	return func(string) bool { return true }
}

func anyEqual(v string, values []string) bool {
	for _, w := range values {
		if compare(v, w) == 0 {
			return true
		}
	}
	return false
}

// like is MySQL's case-insensitive LIKE with % and _.
func like(pattern string) func(string) bool {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re := regexp.MustCompile(b.String() + "$")
	return re.MatchString
}

// compare orders a column's value against the quoted text of a filter as
// MySQL does: a numeric column (every value the fake writes as a number)
// numerically, the text read as its leading number ("abc" is 0); any
// other case-insensitively.
func compare(column, literal string) int {
	if _, err := strconv.ParseFloat(column, 64); err == nil {
		a, b := number(column), number(literal)
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToLower(column), strings.ToLower(literal))
}

var leadingNumber = regexp.MustCompile(`^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?`)

// number is the number MySQL reads at the start of s (0 for none).
func number(s string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(leadingNumber.FindString(s)), 64)
	return f
}

// text is a row's value as the text MySQL compares: a multilingual
// field's first language.
func text(v any) string {
	switch v := v.(type) {
	case int64:
		return str(v)
	case string:
		return v
	case []map[string]string:
		if len(v) > 0 {
			return v[0]["value"]
		}
	}
	return ""
}

// sortRows applies sort=[field_ASC,field_DESC] (or sort=field_ASC).
func sortRows(rows []row, q url.Values, available, multilingual []string) ([]row, *apiError) {
	value, ok := q["sort"]
	if !ok {
		return rows, nil
	}
	spec := value[0]
	if m := regexp.MustCompile(`(?i)^\[(.*)\]$`).FindStringSubmatch(spec); m != nil {
		spec = m[1]
	}
	type key struct {
		field string
		desc  bool
	}
	var keys []key
	for _, s := range strings.Split(spec, ",") {
		i := strings.LastIndex(s, "_")
		direction := ""
		if i >= 0 {
			direction = strings.ToUpper(s[i+1:])
		}
		switch {
		case i < 0 || (direction != "ASC" && direction != "DESC"):
			return nil, &apiError{400, 37, `The "sort" value has to be formed as this example: "field_ASC" or '[field_1_DESC,field_2_ASC,field_3_ASC,...]' ("field" has to be an available field)`}
		case !contains(available, s[:i]) && !contains(multilingual, s[:i]):
			return nil, &apiError{400, 38, "Unable to filter by this field. However, these are available: " + strings.Join(available, ", ") +
				", for i18n fields:" + strings.Join(multilingual, ", ")}
		}
		keys = append(keys, key{s[:i], direction == "DESC"})
	}
	sorted := append([]row(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool {
		for _, k := range keys {
			a, b := text(sorted[i][k.field]), text(sorted[j][k.field])
			if c := compare(a, b); c != 0 {
				return (c < 0) != k.desc
			}
		}
		return false
	})
	return sorted, nil
}

// limitRows applies limit=offset,count or limit=count, each read as PHP's
// (int) reads it.
func limitRows(rows []row, q url.Values) ([]row, *apiError) {
	value, ok := q["limit"]
	if !ok {
		return rows, nil
	}
	parts := strings.Split(value[0], ",")
	if len(parts) > 2 {
		return nil, &apiError{400, 39, `The "limit" value has to be formed as this example: "5,25" or "10"`}
	}
	offset, count := 0, phpInt(parts[0])
	if len(parts) == 2 {
		offset, count = count, phpInt(parts[1])
	}
	if offset >= len(rows) || count <= 0 {
		return nil, nil
	}
	return rows[max(offset, 0):min(offset+count, len(rows))], nil
}

var leadingInt = regexp.MustCompile(`^\s*[-+]?\d+`)

func phpInt(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(leadingInt.FindString(s)))
	return n
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// didYouMean is setErrorDidYouMean's message: the closest available value
// (by edit distance, the later of a tie) and, when there are several, the
// full list.
func didYouMean(status int, label, value string, available []string, code int) *apiError {
	closest, shortest := "", -1
	for _, w := range available {
		d := levenshtein(value, w)
		if d == 0 {
			closest = w
			break
		}
		if d <= shortest || shortest < 0 {
			closest, shortest = w, d
		}
	}
	message := fmt.Sprintf(`%s. Did you mean: "%s"?`, label, closest)
	if len(available) > 1 {
		message += ` The full list is: "` + strings.Join(available, `", "`) + `"`
	}
	return &apiError{status, code, message}
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
