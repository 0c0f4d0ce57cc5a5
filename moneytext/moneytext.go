// Package moneytext writes amounts of money as people read them: shoppers
// in their message's language (FormatPrice), merchants as the admin and
// report emails write them, in English (Merchant, MerchantTotals). It is
// the one place that knows how a language writes an amount; digits,
// separators and symbols come from CLDR through golang.org/x/text.
// Machine-readable amounts (CSV exports, the API) are not its business:
// they keep stockbell.Amount's decimal text and a separate currency code.
package moneytext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	stockbell "github.com/stockbell/stockbell"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// moneyStyle is how a language writes an amount of money, from CLDR's
// standard currency pattern. x/text supplies the digits, separators and
// symbols (CLDR 32 data) but writes every language "¤ #,##0.00", symbol
// first; the placement, and what changed in CLDR since, is kept here.
type moneyStyle struct {
	// symbolFirst: "¤#,##0.00" (en, ja) or "¤ #,##0.00" (nl) rather than
	// "#,##0.00 ¤" (fr, de, es, it).
	symbolFirst bool
	// gap is what separates the symbol from the number: a no-break space,
	// or nothing ("$12.50"; CLDR's currency spacing adds one before a
	// digit when the symbol ends in a letter: "CHF 12.50").
	gap string
	// group replaces x/text's digit group separator where CLDR changed
	// it since: French groups with a narrow no-break space (CLDR 34 on).
	group string
	// minGrouping is CLDR's minimumGroupingDigits: Spanish writes 1234
	// ungrouped, 12.345 grouped.
	minGrouping int
}

// MerchantLanguage is the language merchants read amounts in: that of the
// admin and of report emails.
const MerchantLanguage = "en"

// Merchant writes an amount as a merchant reads it on every admin page and
// in report emails: "€1,234.50", "$49.00", "¥1,500", "CHF\u00a049.00", the
// number alone while the currency is unknown.
func Merchant(m stockbell.Money) string { return Format(MerchantLanguage, m) }

// MerchantTotals writes sums in several currencies as one figure, a short
// list of each currency's sum written as Merchant writes it, in the order
// the totals hold them: "€50.00", "€50.00 and $12.00", "€50.00, $12.00
// and ¥1,500". Sums in different currencies are never added together.
// No totals write "".
func MerchantTotals(t stockbell.MoneyTotals) string {
	parts := make([]string, len(t))
	for i, m := range t {
		parts[i] = Merchant(m)
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// MerchantEstimate writes an estimate (an expected revenue: waiting ×
// rate × price) as Merchant does, rounded half away from zero to the
// currency's decimals ("¥123" for 123.4 yen, "€4.67" for 4.665 euros), where
// a price or a sum would show every decimal it has.
func MerchantEstimate(m stockbell.Money) string {
	step := stockbell.Amount(1)
	for range 4 - currencyDecimals(m.Currency) {
		step *= 10
	}
	half, sign := step/2, stockbell.Amount(1)
	if m.Amount < 0 {
		sign = -1
	}
	m.Amount = sign * ((sign*m.Amount + half) / step * step)
	return Merchant(m)
}

// noBreakSpace separates a number from its currency symbol.
const noBreakSpace = "\u00a0"

var moneyStyles = map[string]moneyStyle{
	"en": {symbolFirst: true},
	"ja": {symbolFirst: true},
	"nl": {symbolFirst: true, gap: noBreakSpace},
	"fr": {gap: noBreakSpace, group: "\u202f"},
	"de": {gap: noBreakSpace},
	"es": {gap: noBreakSpace, minGrouping: 2},
	"it": {gap: noBreakSpace},
}

// moneyPrinters are the x/text printers of the languages with a style,
// made once: making one matches the language against x/text's tables, which
// cost more than the formatting itself. A Printer is safe for concurrent use.
var moneyPrinters = func() map[string]*message.Printer {
	printers := map[string]*message.Printer{}
	for lang := range moneyStyles {
		printers[lang] = message.NewPrinter(language.Make(lang))
	}
	return printers
}()

// FormatPrice writes a price as stored ("89.00", or a feed's "15.00 USD")
// the way readers of lang write amounts: in the currency the price states,
// else the shop's (currency; "" writes the number alone), with the
// language's digits, separators, symbol and its place ("€89.00",
// "89,00 €", "€ 89,00"). Decimals are the currency's (none for the yen)
// unless the price has more: a price is never rounded. A language
// without a style of its own is written as English is. Text that is not a
// price is returned as it is.
func FormatPrice(lang, price, currency string) string {
	m, err := stockbell.ParsePrice(price)
	if err != nil {
		return price
	}
	if m.Currency == "" {
		m.Currency = currency
	}
	return Format(lang, m)
}

// Format writes an amount in its currency as readers of lang write it
// ("€1,234.50", "1 234,50 €", "¥1,500"); the number alone when the
// currency is unknown (""). Decimals are the currency's unless the amount
// has more. A language without a style of its own is written as English is.
func Format(lang string, m stockbell.Money) string {
	style, ok := moneyStyles[lang]
	if !ok {
		lang, style = "en", moneyStyles["en"]
	}
	printer := moneyPrinters[lang]
	symbol, decimals := currencySymbol(printer, m.Currency)
	sign, amount := "", m.Amount
	if amount < 0 {
		sign, amount = "-", -amount
	}
	digits := style.number(printer, amount, max(decimals, amountDecimals(amount)))
	switch {
	case symbol == "":
		return sign + digits
	case !style.symbolFirst:
		return sign + digits + style.gap + symbol
	}
	gap := style.gap
	if last, _ := utf8.DecodeLastRuneInString(symbol); gap == "" && unicode.IsLetter(last) {
		gap = noBreakSpace
	}
	return sign + symbol + gap + digits
}

// currencySymbol returns the language's symbol for an ISO 4217 code and
// the currency's decimals: the code itself when x/text does not know it
// (with two decimals), nothing for an unknown currency ("").
func currencySymbol(printer *message.Printer, code string) (string, int) {
	if code == "" {
		return "", 2
	}
	unit, err := currency.ParseISO(code)
	if err != nil {
		return code, 2
	}
	return printer.Sprint(currency.Symbol(unit)), currencyDecimals(code)
}

// currencyDecimals is how many decimals an amount in the currency has
// (2 for the euro, 0 for the yen, 3 for the dinar): 2 for a currency
// x/text does not know, or an unknown one ("").
func currencyDecimals(code string) int {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(unit)
	return scale
}

// perUnit is how many stockbell.Amount units make one currency unit.
const perUnit = 10_000

// number writes a non-negative amount with the decimals given, in the
// printer's language.
func (s moneyStyle) number(printer *message.Printer, a stockbell.Amount, decimals int) string {
	opts := []number.Option{number.Scale(decimals)}
	if s.minGrouping > 1 && int64(a) < ungroupedBelow(s.minGrouping)*perUnit {
		opts = append(opts, number.NoSeparator())
	}
	// Exact: a price below 10^11 keeps its four decimals in a float64.
	text := printer.Sprint(number.Decimal(float64(a)/perUnit, opts...))
	if s.group != "" {
		text = strings.ReplaceAll(text, noBreakSpace, s.group) // x/text's group separator for French
	}
	return text
}

// ungroupedBelow is the smallest whole number a language with the minimum
// grouping digits given writes grouped: 10,000 for 2.
func ungroupedBelow(minGrouping int) int64 {
	n := int64(1000)
	for range minGrouping - 1 {
		n *= 10
	}
	return n
}

// amountDecimals is how many decimals the amount has, trailing zeros
// left out (0 to 4).
func amountDecimals(a stockbell.Amount) int {
	frac, n := int64(a)%perUnit, 4
	for n > 0 && frac%10 == 0 {
		frac, n = frac/10, n-1
	}
	return n
}
