package main

import (
	"os"
	"regexp"
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

// TestAlertRulesNameServedSeries: docs/alerts.yml is a rules file whose
// every rule is complete, and every stockbell_ series it names, with the
// labels and label values its matchers ask for, is served by /metrics of
// a server that has just started (no series appears only after its first
// event).
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
