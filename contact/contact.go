// Package contact is the domain rule for shoppers' contacts: one
// normalisation of email addresses (trimmed, lower-cased, international
// domains in their ASCII form) and phone numbers (E.164), used wherever a
// contact is stored or looked for — the storefront API, privacy requests,
// order attribution. It sits beside the root package because its rules need
// IDNA and the phone numbering plan, which the standard library lacks.
package contact

import (
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"
	stockbell "github.com/stockbell/stockbell"
	"golang.org/x/net/idna"
)

// NormalizeEmail trims and lower-cases an address and turns an
// international domain into its ASCII (punycode) form, so that the same
// mailbox typed two ways is one contact. It returns EINVALID naming the
// field "email" for anything that is not a single plain address.
func NormalizeEmail(raw string) (string, error) {
	addr := strings.ToLower(strings.TrimSpace(raw))
	at := strings.LastIndex(addr, "@")
	if at <= 0 || at == len(addr)-1 || len(addr) > 254 || strings.ContainsAny(addr, " <>,;\"") {
		return "", invalidEmail(raw)
	}
	local, domain := addr[:at], strings.TrimSuffix(addr[at+1:], ".")
	asciiDomain, err := idna.Lookup.ToASCII(domain)
	if err != nil || !strings.Contains(asciiDomain, ".") || len(local) > 64 {
		return "", invalidEmail(raw)
	}
	normalized := local + "@" + asciiDomain
	if parsed, err := mail.ParseAddress(normalized); err != nil || parsed.Address != normalized {
		return "", invalidEmail(raw)
	}
	return normalized, nil
}

// invalidEmail is NormalizeEmail's refusal of raw, built only when needed:
// most addresses are valid, and formatting the message is not free.
func invalidEmail(raw string) error {
	return stockbell.FieldErrorf("email", "%q is not a valid email address.", raw)
}

// NormalizePhone parses a phone number, in international form or national
// form with an ISO 3166 country code, and returns it in E.164. Without a
// country, the international prefix 00 reads as + ("0044 20 7946 0958"
// is +442079460958); with one, the country's own prefix does. A national
// trunk prefix in brackets is dropped ("+49 (0)30 1234567"). It returns
// EINVALID naming the field "phone" for a number that cannot exist, or
// "phone_country" for a national number with a country that is not one.
func NormalizePhone(raw, country string) (string, error) {
	raw = strings.TrimSpace(raw)
	region := strings.ToUpper(strings.TrimSpace(country))
	international := raw
	if region == "" && strings.HasPrefix(raw, internationalPrefix) {
		international = "+" + raw[len(internationalPrefix):]
	}
	if region == "" && !strings.HasPrefix(international, "+") {
		return "", stockbell.FieldErrorf("phone", "Enter the phone number with its country code, like +1 555 123 4567.")
	}
	if region != "" && !strings.HasPrefix(international, "+") && phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return "", stockbell.FieldErrorf("phone_country", "%q is not a country code: give an ISO 3166 code such as FR or US, or the number with its country code (+33 6 12 34 56 78).", country)
	}
	num, err := phonenumbers.Parse(international, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", stockbell.FieldErrorf("phone", "%q is not a valid phone number.", raw)
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	// Some plans (Germany's among them) accept national numbers of
	// lengths that, with the country code, exceed E.164's 15 digits; no
	// SMS provider takes such a number.
	if len(e164) > 1+maxE164Digits {
		return "", stockbell.FieldErrorf("phone", "%q is too long for a phone number: at most %d digits with the country code.", raw, maxE164Digits)
	}
	return e164, nil
}

// internationalPrefix is what most countries dial before a country code
// (the prefix ITU-T recommends), written in place of +.
const internationalPrefix = "00"

// maxE164Digits is the most digits an international number has (ITU-T E.164).
const maxE164Digits = 15

// NormalizeMobile is NormalizePhone for a number text messages are sent
// to: it must be a mobile number by its country's numbering plan (or one
// the plan cannot tell from a landline, as in the United States and
// Canada). A premium-rate, toll-free, shared-cost, landline, pager or
// other number, or one whose type is unknown, is refused with EINVALID
// naming the field "phone" and saying what the number is.
func NormalizeMobile(raw, country string) (string, error) {
	e164, err := NormalizePhone(raw, country)
	if err != nil {
		return "", err
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return "", stockbell.FieldErrorf("phone", "%q is not a valid phone number.", raw)
	}
	switch kind := phonenumbers.GetNumberType(num); kind {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return e164, nil
	default:
		return "", stockbell.FieldErrorf("phone", "%q is %s, not a mobile number: enter a mobile number to get text messages.", raw, numberKind(kind))
	}
}

// numberKind says what a number that is not a mobile number is.
func numberKind(kind phonenumbers.PhoneNumberType) string {
	switch kind {
	case phonenumbers.PREMIUM_RATE:
		return "a premium-rate number"
	case phonenumbers.TOLL_FREE:
		return "a toll-free number"
	case phonenumbers.SHARED_COST:
		return "a shared-cost number"
	case phonenumbers.FIXED_LINE:
		return "a landline"
	case phonenumbers.VOIP:
		return "an internet (VoIP) number"
	case phonenumbers.PAGER:
		return "a pager number"
	case phonenumbers.PERSONAL_NUMBER, phonenumbers.UAN, phonenumbers.VOICEMAIL:
		return "a forwarding or service number"
	}
	return "a number of unknown type"
}

// Canonical returns the contact as subscriptions store it, for finding its
// rows: an email address or phone number that normalises is normalised;
// one that does not is only trimmed (an email also lower-cased), so that it
// matches nothing rather than failing the lookup.
func Canonical(c stockbell.Contact) stockbell.Contact {
	c.Email = CanonicalEmail(c.Email)
	c.Phone = CanonicalPhone(c.Phone)
	return c
}

// CanonicalEmail is NormalizeEmail for lookups: an address that does not
// normalise is trimmed and lower-cased.
func CanonicalEmail(raw string) string {
	if raw == "" {
		return ""
	}
	if email, err := NormalizeEmail(raw); err == nil {
		return email
	}
	return strings.ToLower(strings.TrimSpace(raw))
}

// CanonicalPhone is NormalizePhone for lookups, for numbers in
// international form: one that does not normalise is trimmed.
func CanonicalPhone(raw string) string {
	if raw == "" {
		return ""
	}
	if phone, err := NormalizePhone(raw, ""); err == nil {
		return phone
	}
	return strings.TrimSpace(raw)
}

// UnicodeEmail returns an address with its international domain in its
// Unicode form, as a platform or a shopper writes it (anna@bücher.example
// for anna@xn--bcher-kva.example): the same contact, as NormalizeEmail
// reads it. An address without such a domain is returned as it is.
func UnicodeEmail(email string) string {
	at := strings.LastIndex(email, "@")
	if at < 0 {
		return email
	}
	domain, err := idna.Lookup.ToUnicode(email[at+1:])
	if err != nil {
		return email
	}
	return email[:at+1] + strings.ToLower(domain)
}

// PhoneRegion returns the ISO 3166 region of a phone number in E.164
// (+14155550100 is "US"), or "" when it has none.
func PhoneRegion(e164 string) string {
	if e164 == "" {
		return ""
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(num)
}
