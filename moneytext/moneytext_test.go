package moneytext

import (
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// Separators as CLDR writes them.
const (
	nnbsp = "\u202f" // French digit groups (CLDR 34 on)
	gap   = "\u00a0" // between a number and a currency symbol written after it
)

// TestFormatPriceFollowsCLDR pins the amounts readers of each language
// expect, worked out from CLDR's standard currency pattern, symbols,
// separators and minimum grouping digits for the language (not copied
// from the formatter's output):
//
//   - en, ja: "¤#,##0.00", the symbol before the number, nothing between
//     unless the symbol ends in a letter ("CHF", currency spacing), which
//     gets a no-break space; ja writes the yen as the full-width "￥".
//   - nl: "¤ #,##0.00", the symbol first, a no-break space after it.
//   - fr, de, es, it: "#,##0.00 ¤", the symbol after a no-break space;
//     French groups digits with a narrow no-break space; Spanish groups
//     only from five digits (minimumGroupingDigits 2).
//   - The symbol is the language's own: "$US" and "£GB" in French, "US$"
//     in Spanish and Dutch, "JPY" in French, Spanish and Italian.
//   - Decimals are the currency's (none for the yen) unless the price
//     has more: a price is never rounded.
func TestFormatPriceFollowsCLDR(t *testing.T) {
	tests := []struct{ lang, price, currency, want string }{
		{"en", "1234.5", "EUR", "€1,234.50"},
		{"en", "49.00", "USD", "$49.00"},
		{"en", "1500", "JPY", "¥1,500"},
		{"en", "12.5", "CHF", "CHF" + gap + "12.50"},
		{"en", "0.125", "USD", "$0.125"},
		{"en", "20", "CAD", "CA$20.00"},
		{"en", "1.5", "KWD", "KWD" + gap + "1.500"}, // three decimals for the dinar
		{"fr", "1234.5", "EUR", "1" + nnbsp + "234,50" + gap + "€"},
		{"fr", "49", "USD", "49,00" + gap + "$US"},
		{"fr", "20", "GBP", "20,00" + gap + "£GB"},
		{"fr", "20", "CAD", "20,00" + gap + "$CA"},
		{"fr", "1500", "JPY", "1" + nnbsp + "500" + gap + "JPY"},
		{"de", "1234.5", "EUR", "1.234,50" + gap + "€"},
		{"de", "1500", "JPY", "1.500" + gap + "¥"},
		{"es", "1234.5", "EUR", "1234,50" + gap + "€"},
		{"es", "12345.5", "EUR", "12.345,50" + gap + "€"},
		{"es", "49", "USD", "49,00" + gap + "US$"},
		{"it", "1234.5", "EUR", "1.234,50" + gap + "€"},
		{"it", "1500", "JPY", "1.500" + gap + "JPY"},
		{"nl", "1234.5", "EUR", "€" + gap + "1.234,50"},
		{"nl", "49", "USD", "US$" + gap + "49,00"},
		{"ja", "1500", "JPY", "￥1,500"},
		{"ja", "1234.5", "EUR", "€1,234.50"},
		// A price stating its own currency (a feed's "15.00 USD") keeps it.
		{"fr", "15.00 USD", "EUR", "15,00" + gap + "$US"},
		// The currency unknown: the number alone, in the language's digits.
		{"en", "1234.5", "", "1,234.50"},
		{"fr", "49", "", "49,00"},
		// A code x/text has no symbol for is written as a code.
		{"de", "7", "XBT", "7,00" + gap + "XBT"},
		// Not a price: as the platform gave it.
		{"fr", "from 10", "EUR", "from 10"},
		// A language without rules of its own is written as English is.
		{"pt", "1234.5", "EUR", "€1,234.50"},
	}
	for _, tt := range tests {
		if got := FormatPrice(tt.lang, tt.price, tt.currency); got != tt.want {
			t.Errorf("FormatPrice(%q, %q, %q) = %q, want %q", tt.lang, tt.price, tt.currency, got, tt.want)
		}
	}
}

// TestMerchantWritesAmountsAsTheAdminDoes: merchants read amounts in
// English, the currency's symbol first and its own decimals; sums in
// several currencies make one short list, each in its own currency.
func TestMerchantWritesAmountsAsTheAdminDoes(t *testing.T) {
	amount := func(text string) stockbell.Amount {
		a, err := stockbell.ParseAmount(text)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, tt := range []struct {
		money stockbell.Money
		want  string
	}{
		{stockbell.Money{Currency: "EUR", Amount: amount("1234.5")}, "€1,234.50"},
		{stockbell.Money{Currency: "JPY", Amount: amount("1500")}, "¥1,500"},
		{stockbell.Money{Currency: "KWD", Amount: amount("1.25")}, "KWD" + gap + "1.250"},
		{stockbell.Money{Currency: "CHF", Amount: amount("49")}, "CHF" + gap + "49.00"},
		{stockbell.Money{Currency: "USD", Amount: amount("-5")}, "-$5.00"},
		{stockbell.Money{Amount: amount("19.9")}, "19.90"},
	} {
		if got := Merchant(tt.money); got != tt.want {
			t.Errorf("Merchant(%v) = %q, want %q", tt.money, got, tt.want)
		}
	}
	var totals stockbell.MoneyTotals
	for _, c := range []struct {
		currency, amount, want string
	}{
		{"EUR", "50", "€50.00"},
		{"USD", "12", "€50.00 and $12.00"},
		{"EUR", "0.5", "€50.50 and $12.00"},
		{"JPY", "1500", "€50.50, $12.00 and ¥1,500"},
	} {
		totals.Add(c.currency, amount(c.amount))
		if got := MerchantTotals(totals); got != c.want {
			t.Errorf("MerchantTotals(%v) = %q, want %q", totals, got, c.want)
		}
	}
	if got := MerchantTotals(nil); got != "" {
		t.Errorf("MerchantTotals(nil) = %q, want nothing", got)
	}
}

// TestMerchantEstimateRoundsToTheCurrency: an estimate is written in the
// currency's decimals, rounded half away from zero.
func TestMerchantEstimateRoundsToTheCurrency(t *testing.T) {
	for _, tt := range []struct {
		currency string
		amount   stockbell.Amount
		want     string
	}{
		{"JPY", 1_234_000, "¥123"},
		{"JPY", 1_235_000, "¥124"},
		{"EUR", 46_650, "€4.67"},
		{"EUR", 46_649, "€4.66"},
		{"EUR", 89_000, "€8.90"},
		{"KWD", 12_345, "KWD" + gap + "1.235"},
		{"USD", -46_650, "-$4.67"},
		{"", 46_650, "4.67"},
	} {
		if got := MerchantEstimate(stockbell.Money{Currency: tt.currency, Amount: tt.amount}); got != tt.want {
			t.Errorf("MerchantEstimate(%d %s) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
	}
}
