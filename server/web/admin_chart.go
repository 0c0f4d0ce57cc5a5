package web

import (
	"fmt"
	"strings"
	"time"
)

// barChart is a grouped bar chart drawn as SVG on the server, with the
// same numbers as a table (its text equivalent) and a one-line summary.
type barChart struct {
	ID, Title, Summary, Description string
	Width, Height                   int
	FirstLabel, LastLabel           string
	Bars                            []chartBar
	Gridlines                       []chartLine
	Legend                          []chartSeries
	Columns                         []string
	Rows                            []chartRow
}

type chartBar struct {
	X, Y, W, H   float64
	Class, Label string
}

type chartLine struct{ Y float64 }

// chartSeries is one series: its name, CSS class (s1…s4), values by day
// and total.
type chartSeries struct {
	Label  string
	Class  string
	Values []int
	Total  int
}

type chartRow struct {
	Label  string
	Values []int
}

// Chart geometry, in SVG user units: each day is a group of bars.
const (
	chartHeight   = 120
	chartGroupW   = 12
	chartGroupGap = 2
)

// newBarChart lays out series (one value per day of days) as grouped bars.
func newBarChart(id, title string, days []time.Time, series ...chartSeries) *barChart {
	c := &barChart{ID: id, Title: title, Width: len(days) * chartGroupW, Height: chartHeight}
	peak := 0
	for i := range series {
		series[i].Class = fmt.Sprintf("s%d", i+1)
		for _, v := range series[i].Values {
			series[i].Total += v
			peak = max(peak, v)
		}
		c.Columns = append(c.Columns, series[i].Label)
	}
	c.Legend = series
	scale := niceCeiling(peak)
	for _, f := range []float64{0.25, 0.5, 0.75} {
		c.Gridlines = append(c.Gridlines, chartLine{Y: chartHeight * (1 - f)})
	}
	barW := float64(chartGroupW-chartGroupGap) / float64(max(1, len(series)))
	for d, day := range days {
		row := chartRow{Label: day.Format("Mon 2 Jan")}
		for s, ser := range series {
			v := ser.Values[d]
			row.Values = append(row.Values, v)
			h := float64(v) / float64(scale) * chartHeight
			c.Bars = append(c.Bars, chartBar{X: float64(d*chartGroupW) + float64(s)*barW, Y: chartHeight - h, W: barW, H: h,
				Class: ser.Class, Label: fmt.Sprintf("%s: %d %s", row.Label, v, strings.ToLower(ser.Label))})
		}
		c.Rows = append(c.Rows, row)
	}
	if len(days) > 0 {
		c.FirstLabel, c.LastLabel = days[0].Format("2 Jan"), days[len(days)-1].Format("2 Jan")
	}
	c.Summary, c.Description = chartSummary(series, len(days), scale)
	return c
}

// chartSummary says in words what the bars show: totals over the period
// and the peak day's scale.
func chartSummary(series []chartSeries, days, scale int) (summary, description string) {
	var parts []string
	for _, s := range series {
		parts = append(parts, fmt.Sprintf("%s %s", formatNumber(s.Total), strings.ToLower(s.Label)))
	}
	summary = "(" + strings.Join(parts, ", ") + " in the last " + plural(days, "day") + ")"
	description = fmt.Sprintf("Bars per day over the last %s; the top of the chart is %s. %s.", plural(days, "day"), formatNumber(scale), strings.Join(parts, ", "))
	return summary, description
}

// niceCeiling rounds a peak up to 1, 2 or 5 times a power of ten (at least 4).
func niceCeiling(peak int) int {
	if peak <= 4 {
		return 4
	}
	for base := 1; ; base *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*base >= peak {
				return m * base
			}
		}
	}
}
