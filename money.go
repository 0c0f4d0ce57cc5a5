package stockbell

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is a sum of money in ten-thousandths of its currency's unit, so
// that it is exact for every ISO 4217 currency (none has more than four
// decimals) and sums never drift as floating point would. An Amount has no
// currency of its own: it travels beside a currency code.
type Amount int64

// amountScale is the number of Amount units in one currency unit.
const amountScale = 10_000

// ParseAmount reads decimal text as platforms send prices ("19.99",
// "1500", "-3.5", "0.125"). It returns an EINVALID error for anything else,
// including more than four decimals or a sum too large to hold.
func ParseAmount(text string) (Amount, error) {
	s := strings.TrimSpace(text)
	invalid := Errorf(EINVALID, "%q is not an amount such as 19.99", text)
	negative := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, _ := strings.Cut(s, ".")
	if (whole == "" && frac == "") || len(frac) > 4 || !allDigits(whole) || !allDigits(frac) {
		return 0, invalid
	}
	frac += strings.Repeat("0", 4-len(frac))
	units, err := strconv.ParseInt(orZero(whole), 10, 64)
	if err != nil || units > math.MaxInt64/amountScale-1 {
		return 0, invalid
	}
	parts, _ := strconv.ParseInt(frac, 10, 64)
	a := Amount(units*amountScale + parts)
	if negative {
		a = -a
	}
	return a, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// String formats the amount with at least two decimals and at most four:
// 19.99, 1500.00, 0.125.
func (a Amount) String() string {
	sign := ""
	u := uint64(a)
	if a < 0 {
		sign, u = "-", uint64(-a)
	}
	frac := fmt.Sprintf("%04d", u%amountScale)
	for len(frac) > 2 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	return fmt.Sprintf("%s%d.%s", sign, u/amountScale, frac)
}

// Times returns the amount multiplied by n (a quantity).
func (a Amount) Times(n int) Amount { return a * Amount(n) }

// MarshalText writes the amount as decimal text, so JSON shows "19.99"
// (a string: no client rounds it through a float).
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads decimal text.
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := ParseAmount(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Money is an amount in one currency (an ISO 4217 code).
type Money struct {
	Currency string `json:"currency"`
	Amount   Amount `json:"amount"`
}

// MoneyTotals adds amounts per currency, keeping currencies in the order
// they were first seen; sums in different currencies are never mixed.
type MoneyTotals []Money

// MarshalJSON writes the totals as a JSON array, [] when there are none
// (never null).
func (t MoneyTotals) MarshalJSON() ([]byte, error) {
	if t == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]Money(t))
}

// Add adds amount in currency to the totals. An ISO 4217 code counts in
// capitals whatever its case (NormalizeCurrency): conversions stored
// before orders' currencies were normalised hold "eur" beside "EUR".
func (t *MoneyTotals) Add(currency string, amount Amount) {
	if code := NormalizeCurrency(currency); code != "" {
		currency = code
	}
	for i := range *t {
		if (*t)[i].Currency == currency {
			(*t)[i].Amount += amount
			return
		}
	}
	*t = append(*t, Money{Currency: currency, Amount: amount})
}

// Of returns the total in currency (zero when none was added).
func (t MoneyTotals) Of(currency string) Amount {
	for _, m := range t {
		if m.Currency == currency {
			return m.Amount
		}
	}
	return 0
}

// NormalizeCurrency returns an ISO 4217 currency code as stored: three
// letters, upper case ("eur " → "EUR"). Anything else is not a currency
// Stockbell can name, and is "" (unknown) rather than a guess.
func NormalizeCurrency(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 3 {
		return ""
	}
	for _, r := range code {
		if r < 'A' || r > 'Z' {
			return ""
		}
	}
	return code
}

// String writes the amount followed by its currency code ("89.00 EUR"), or
// the amount alone when the currency is unknown (""). The code rather than
// a symbol: "$" names a dozen currencies and "kr" several, while a code is
// unambiguous in every language.
func (m Money) String() string {
	if m.Currency == "" {
		return m.Amount.String()
	}
	return m.Amount.String() + " " + m.Currency
}

// ParsePrice reads a price as platforms and feeds write it: an amount
// ("89.00", currency unknown: "") or an amount and its ISO 4217 code as
// Google Merchant feeds write them ("15.00 USD"). Anything else is an
// EINVALID error.
func ParsePrice(text string) (Money, error) {
	amount, code, coded := strings.Cut(strings.TrimSpace(text), " ")
	currency := NormalizeCurrency(code)
	if coded && (currency == "" || currency != strings.TrimSpace(code)) {
		return Money{}, Errorf(EINVALID, "%q is not a price such as 19.99 or 19.99 USD", text)
	}
	a, err := ParseAmount(amount)
	return Money{Currency: currency, Amount: a}, err
}
