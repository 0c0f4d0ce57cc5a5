package main

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// alertRules is the shape of a Prometheus rules file.
type alertRules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

var seriesName = regexp.MustCompile(`\bstockbell_[a-z_]+`)

// selector is a series named with label matchers, matcher one of them.
var (
	selector = regexp.MustCompile(`\b(stockbell_[a-z_]+)\{([^}]*)\}`)
	matcher  = regexp.MustCompile(`([a-zA-Z_]+)\s*(=~|!~|!=|=)\s*"([^"]*)"`)
)

// checkMatchers fails for a label matcher in expr that no series served
// can satisfy: an equality matcher's label value that is never served
// (state="retrying" for "retryable"), or a label the series does not have.
// Such a rule would never fire.
func checkMatchers(t *testing.T, alert, expr string, series map[string]float64) {
	t.Helper()
	for _, sel := range selector.FindAllStringSubmatch(expr, -1) {
		for _, m := range matcher.FindAllStringSubmatch(sel[2], -1) {
			want := m[1] + "="
			if m[2] == "=" {
				want += strconv.Quote(m[3])
			}
			found := false
			for key := range series {
				if strings.HasPrefix(key, sel[1]+"{") && strings.Contains(key, want) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: no %s series served has %s%s%q", alert, sel[1], m[1], m[2], m[3])
			}
		}
	}
}

// aggregation is an aggregation operator with its by (…) clause, if any,
// and the first series named inside it.
var aggregation = regexp.MustCompile(`\b(sum|min|max|avg|count|stddev|stdvar|topk|bottomk|quantile|group)\s*` +
	`(?:by\s*\(([^)]*)\)\s*)?\(\s*(?:[a-z_]+\s*\(\s*)*(stockbell_[a-z_]+)`)

var byClause = regexp.MustCompile(`\bby\s*\(`)

// labelNames returns the label names the series of that name are served
// with.
func labelNames(series map[string]float64, name string) map[string]bool {
	names := map[string]bool{}
	for key := range series {
		labels, ok := strings.CutPrefix(key, name+"{")
		if !ok {
			continue
		}
		for _, m := range matcher.FindAllStringSubmatch(labels, -1) {
			names[m[1]] = true
		}
	}
	return names
}

// byLabels splits a by (…) clause into its label names.
func byLabels(clause string) []string {
	var names []string
	for _, name := range strings.Split(clause, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// checkGrouping fails for an aggregation by a label that the series it
// aggregates is not served with: its result would be one group with an
// empty label, the alert firing for all of them at once.
func checkGrouping(t *testing.T, alert, expr string, series map[string]float64) {
	t.Helper()
	aggs := aggregation.FindAllStringSubmatch(expr, -1)
	clauses := 0
	for _, agg := range aggs {
		if agg[2] != "" {
			clauses++
		}
	}
	if len(byClause.FindAllString(expr, -1)) != clauses || strings.Contains(expr, "without") {
		t.Errorf("%s: an aggregation in %q is not one this check reads (op by (labels) (…stockbell_series…))", alert, expr)
	}
	for _, agg := range aggs {
		served := labelNames(series, agg[3])
		for _, name := range byLabels(agg[2]) {
			if !served[name] {
				t.Errorf("%s: %s by (%s): %s is served without a %s label", alert, agg[1], agg[2], agg[3], name)
			}
		}
	}
}

// labelReference is a label an annotation's template reads.
var labelReference = regexp.MustCompile(`\$labels\.([a-zA-Z_]+)`)

// checkLabelsInAnnotations fails for an annotation that reads a label the
// alert does not carry: one every aggregation in the expression keeps in
// its by (…) clause, or, with no aggregation, one its series are served
// with. Such a summary would read "Stockbell  jobs have waited…".
func checkLabelsInAnnotations(t *testing.T, alert, expr string, annotations map[string]string, series map[string]float64) {
	t.Helper()
	aggs := aggregation.FindAllStringSubmatch(expr, -1)
	for key, text := range annotations {
		for _, ref := range labelReference.FindAllStringSubmatch(text, -1) {
			for _, agg := range aggs {
				if !slices.Contains(byLabels(agg[2]), ref[1]) {
					t.Errorf("%s: %s reads $labels.%s, which %s over %s drops", alert, key, ref[1], agg[1], agg[3])
				}
			}
			if len(aggs) > 0 {
				continue
			}
			for _, name := range seriesName.FindAllString(expr, -1) {
				if !labelNames(series, name)[ref[1]] {
					t.Errorf("%s: %s reads $labels.%s, and %s is served without it", alert, key, ref[1], name)
				}
			}
		}
	}
}

// TestAlertRulesNameServedSeries: docs/alerts.yml is a rules file whose
// every rule is complete, and every stockbell_ series it names, with the
// labels and label values its matchers ask for, is served by /metrics of
// a server that has just started (no series appears only after its first
// event); every label an aggregation groups by, or an annotation reads,
// is one its series are served with and the expression keeps.
func TestAlertRulesNameServedSeries(t *testing.T) {
	raw, err := os.ReadFile("../docs/alerts.yml")
	noErr(t, err)
	var rules alertRules
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	noErr(t, dec.Decode(&rules))
	m := startServer(t, testEnv(t, nil))
	get(t, m.URL()+"/healthz")
	served := map[string]bool{}
	scraped := scrape(t, m)
	for series := range scraped {
		name, _, _ := strings.Cut(series, "{")
		served[strings.TrimSuffix(name, "_count")] = true
	}
	count := 0
	for _, group := range rules.Groups {
		for _, rule := range group.Rules {
			count++
			checkAlertRule(t, rule.Alert, rule.Expr, rule.For, rule.Labels["severity"], rule.Annotations["summary"])
			checkMatchers(t, rule.Alert, rule.Expr, scraped)
			checkGrouping(t, rule.Alert, rule.Expr, scraped)
			checkLabelsInAnnotations(t, rule.Alert, rule.Expr, rule.Annotations, scraped)
			for _, name := range seriesName.FindAllString(rule.Expr, -1) {
				if !served[name] {
					t.Errorf("%s: /metrics serves no %s", rule.Alert, name)
				}
			}
		}
	}
	for _, want := range []string{"StockbellQueueStuck", "StockbellSendsFailing", "StockbellDatabaseDown"} {
		if !strings.Contains(string(raw), "alert: "+want+"\n") {
			t.Errorf("no %s rule", want)
		}
	}
	if count == 0 {
		t.Fatal("no rules")
	}
}

func checkAlertRule(t *testing.T, alert, expr, forDuration, severity, summary string) {
	t.Helper()
	if alert == "" || strings.TrimSpace(expr) == "" || severity == "" || summary == "" {
		t.Errorf("rule %q: alert, expr, severity label and summary are required", alert)
	}
	if forDuration != "" {
		if _, err := time.ParseDuration(forDuration); err != nil {
			t.Errorf("%s: for %q: %v", alert, forDuration, err)
		}
	}
	for _, pair := range []string{"()", "[]", "{}"} {
		if strings.Count(expr, pair[:1]) != strings.Count(expr, pair[1:]) {
			t.Errorf("%s: unbalanced %s in %q", alert, pair, expr)
		}
	}
}

// sharedSeries are read from the database (the job queue's backlog and
// whether the database answers): every replica serves the same reading.
var sharedSeries = []string{"stockbell_jobs", "stockbell_job_oldest_available_seconds", "stockbell_database_up"}

// summedShared finds a sum, count or average over a series every replica
// serves alike: with N replicas scraped it reads N times the backlog (or
// counts replicas), so a threshold fires at a fraction of what it says.
var summedShared = regexp.MustCompile(`\b(sum|count|avg)\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(\s*(` +
	strings.Join(sharedSeries, "|") + `)\b`)

// TestAlertRulesReadTheSharedQueueOnce: a rule over a series read from the
// database takes max or min across replicas, never their sum.
func TestAlertRulesReadTheSharedQueueOnce(t *testing.T) {
	raw, err := os.ReadFile("../docs/alerts.yml")
	noErr(t, err)
	var rules alertRules
	noErr(t, yaml.Unmarshal(raw, &rules))
	for _, group := range rules.Groups {
		for _, rule := range group.Rules {
			for _, m := range summedShared.FindAllStringSubmatch(rule.Expr, -1) {
				t.Errorf("%s: %s over %s, which every replica serves from the same database: with several replicas it counts the queue once per replica; use max", rule.Alert, m[1], m[2])
			}
		}
	}
	if !summedShared.MatchString(`sum by (kind) (stockbell_jobs{state="retryable"})`) || summedShared.MatchString(`max by (kind) (stockbell_jobs)`) {
		t.Fatal("the check does not tell a sum from a max")
	}
}
