package report_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stockbell/stockbell/server/report"
)

// FuzzCSVCell writes any text as a cell between two others and reads the
// file back: the cell comes back as GuardCell made it (one record, three
// cells, nothing spilling into its neighbours), and no cell read back starts
// a spreadsheet formula.
func FuzzCSVCell(f *testing.F) {
	for _, seed := range []string{"", "plain", "=SUM(A1)", "+1", "-1", "@x", "\tx", "\rx", `a,"b"`, "line\nbreak", "\r\n",
		"\uFEFF=x", " =x", `\.`, "\"", "'=x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		if !utf8.ValidString(cell) {
			return // text from the database is UTF-8
		}
		var buf bytes.Buffer
		w := report.NewCSVWriter(&buf, report.CSVOptions{})
		if err := w.Write("before", cell, "after"); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("cell %q: written CSV does not read back: %v", cell, err)
		}
		want := strings.ReplaceAll(report.GuardCell(cell), "\r\n", "\n") // a reader normalises line ends in quoted cells
		if len(records) != 1 || len(records[0]) != 3 || records[0][0] != "before" || records[0][1] != want || records[0][2] != "after" {
			t.Fatalf("cell %q read back as %q, want [before %q after]", cell, records, want)
		}
		if got := records[0][1]; got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Fatalf("cell %q read back as %q: a spreadsheet would run it", cell, got)
		}
	})
}
