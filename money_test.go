package stockbell_test

import (
	"encoding/json"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

func TestParseAmount(t *testing.T) {
	cases := []struct {
		in   string
		want stockbell.Amount
		text string
	}{
		{"19.99", 199900, "19.99"},
		{"1500", 15000000, "1500.00"},
		{" 0.125 ", 1250, "0.125"},
		{"-3.5", -35000, "-3.50"},
		{"+2", 20000, "2.00"},
		{".5", 5000, "0.50"},
		{"7.", 70000, "7.00"},
		{"0.0001", 1, "0.0001"},
	}
	for _, c := range cases {
		got, err := stockbell.ParseAmount(c.in)
		if err != nil || got != c.want || got.String() != c.text {
			t.Errorf("ParseAmount(%q) = %d %q, %v; want %d %q", c.in, got, got.String(), err, c.want, c.text)
		}
	}
	for _, bad := range []string{"", ".", "1.23456", "1,5", "12e3", "abc", "1.2.3", "--1", "99999999999999999"} {
		if _, err := stockbell.ParseAmount(bad); stockbell.ErrorCode(err) != stockbell.EINVALID {
			t.Errorf("ParseAmount(%q) error = %v, want EINVALID", bad, err)
		}
	}
}

func TestAmountJSONAndTotals(t *testing.T) {
	var totals stockbell.MoneyTotals
	price, _ := stockbell.ParseAmount("19.99")
	totals.Add("EUR", price.Times(3))
	totals.Add("USD", price)
	totals.Add("EUR", price)
	if totals.Of("EUR").String() != "79.96" || totals.Of("USD").String() != "19.99" || totals.Of("GBP") != 0 {
		t.Fatalf("totals = %+v", totals)
	}
	raw, err := json.Marshal(totals)
	if err != nil || string(raw) != `[{"currency":"EUR","amount":"79.96"},{"currency":"USD","amount":"19.99"}]` {
		t.Fatalf("json = %s, %v", raw, err)
	}
	var back stockbell.MoneyTotals
	if err := json.Unmarshal(raw, &back); err != nil || back.Of("EUR") != totals.Of("EUR") {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
}

func TestNormalizeCurrency(t *testing.T) {
	for in, want := range map[string]string{"eur": "EUR", " USD ": "USD", "€": "", "EURO": "", "U1D": "", "": ""} {
		if got := stockbell.NormalizeCurrency(in); got != want {
			t.Errorf("NormalizeCurrency(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMoneyTotalsCountACodeInAnyCaseAsOne: a conversion stored before
// orders' currencies were normalised ("eur") adds to the same total as
// one stored since ("EUR"), under the code in capitals; text that is no
// ISO 4217 code stays a total of its own, as it was stored.
func TestMoneyTotalsCountACodeInAnyCaseAsOne(t *testing.T) {
	var totals stockbell.MoneyTotals
	price, _ := stockbell.ParseAmount("25.00")
	totals.Add("eur", price)
	totals.Add("EUR", price)
	totals.Add(" Eur", price)
	totals.Add("euro", price)
	if len(totals) != 2 || totals.Of("EUR").String() != "75.00" || totals.Of("euro").String() != "25.00" {
		t.Fatalf("totals = %+v, want EUR 75.00 and euro 25.00", totals)
	}
}
