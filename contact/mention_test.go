package contact

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestMentions(t *testing.T) {
	for _, c := range []struct {
		text, value string
		want        bool
	}{
		{"ann@example.com", "ann@example.com", true},
		{`{"email":"Ann@Example.COM"}`, "ann@example.com", true},
		{"550 <ann@example.com>: no such user", "ann@example.com", true},
		{"write to ann@example.com.", "ann@example.com", true},
		{"mailto:ann@example.com?subject=hi", "ann@example.com", true},
		{"email=ann@example.com&x=1", "ann@example.com", true},
		{"joann@example.com", "ann@example.com", false},
		{"jo.ann@example.com", "ann@example.com", false},
		{"jo_ann@example.com", "ann@example.com", false},
		{"tag+ann@example.com", "ann@example.com", false},
		{"ann@example.com.au", "ann@example.com", false},
		{"ann@example.community", "ann@example.com", false},
		{"ann@example.com-mail.net", "ann@example.com", false},
		{"joann@example.com, then ann@example.com", "ann@example.com", true},
		{"anna@bücher.example", "anna@bücher.example", true},
		{"Anna@BÜCHER.example", "anna@bücher.example", true},
		{"hanna@bücher.example", "anna@bücher.example", false},
		{"ann@example.com", "", false},
		{`{"phone":"+493012345678"}`, "+493012345678", true},
		{"call +493012345678.", "+493012345678", true},
		{"+4930123456789", "+493012345678", false},
		{"++493012345678", "+493012345678", false},
		{"1+493012345678", "+493012345678", false},
		{"+4930123456789 and +493012345678", "+493012345678", true},
		{`{"phone":"+1 415-555-0100"}`, "+14155550100", true},
		{"+1 (415) 555-0100", "+14155550100", true},
		{"+1.415.555.0100", "+14155550100", true},
		{"+1-415-555-0100 ext. 12", "+14155550100", true},
		{"tel:+1-415-555-0100", "+14155550100", true},
		{"+49 30/1234 5678", "+493012345678", true},
		{"+33 6 12 34 56 78.", "+33612345678", true},
		{"call +1 415 555 0100. 2 days later", "+14155550100", true},
		{"+1 415 555 01009", "+14155550100", false},
		{"+1 415 555 0100 9", "+14155550100", false},
		{"+1 415 555 0100-9", "+14155550100", false},
		{"1 +1 415 555 0100", "+14155550100", true},
		{"+1 415 555 .. 0100", "+14155550100", false},
		{"+ 1 415 555 0100", "+14155550100", false},
		{"(415) 555-0100", "+14155550100", false},
		{"415-555-0100", "+14155550100", false},
		{"+44 1415 555 0100", "+14155550100", false},
		{"+49 30 12345678 9", "+493012345678", false},
		{`twilio 400: {\"to\":\"\u003cann@example.com\u003e\"}`, "ann@example.com", true},
		{`{"error":"550 \u003cann@example.com\u003e"}`, "ann@example.com", true},
		{`{"error":"550 \u003cjoann@example.com\u003e"}`, "ann@example.com", false},
		{`email\u003dann@example.com`, "ann@example.com", true},
		{`refused:\nann@example.com`, "ann@example.com", true},
		{`{\"email\":\"B\u00dcCHER@example.com\"}`, "bücher@example.com", true},
		{`{"email":"anna@b\u00fccher.example"}`, "anna@bücher.example", true},
		{`{"email":"hanna@b\u00fccher.example"}`, "anna@bücher.example", false},
		{`{"email":"ann\u0040example.com"}`, "ann@example.com", true},
		{`{"email":"ann@example.com\u0041"}`, "ann@example.com", false},
		{`{"name":"\ud83d\ude00ann@example.com"}`, "ann@example.com", true},
		{`C:\Users\ann@example.com`, "ann@example.com", true},
		{`{\"phone\":\"+1 415-555-0100\"}`, "+14155550100", true},
		{"0044 20 7946 0958", "+442079460958", true},
		{`{"phone":"0044-20-7946-0958"}`, "+442079460958", true},
		{"tel. 0014155550100.", "+14155550100", true},
		{"+49 (0)30 1234567", "+49301234567", true},
		{"+49(0)30/1234567", "+49301234567", true},
		{"+44 (0) 20 7946 0958", "+442079460958", true},
		{"0049 (0)30 1234567", "+49301234567", true},
		{"+39 (0)6 1234 5678", "+390612345678", true},
		{"10044 20 7946 0958", "+442079460958", false},
		{"000442079460958", "+442079460958", false},
		{"+0044 20 7946 0958", "+442079460958", false},
		{"0044 20 7946 09589", "+442079460958", false},
		{"0044 20 7946 0958 9", "+442079460958", false},
		{"+49 (0)30 12345678", "+49301234567", false},
		{"+49 30 (0)1234567", "+49301234567", false},
		{"+4 (0)9 30 1234567", "+49301234567", false},
		{"0 044 20 7946 0958", "+442079460958", false},
	} {
		if got := Mentions(c.text, c.value); got != c.want {
			t.Errorf("Mentions(%q, %q) = %v, want %v", c.text, c.value, got, c.want)
		}
	}
}

func TestReplaceMentions(t *testing.T) {
	for _, c := range []struct {
		text, value, want string
		changed           bool
	}{
		{"550 5.1.1 <Ann@Example.com>: mailbox unavailable", "ann@example.com", "550 5.1.1 <[erased]>: mailbox unavailable", true},
		{"joann@example.com, then ann@example.com.", "ann@example.com", "joann@example.com, then [erased].", true},
		{"ann@example.com ann@example.com", "ann@example.com", "[erased] [erased]", true},
		{"joann@example.com", "ann@example.com", "joann@example.com", false},
		{"The 'To' number +493012345678 is not a valid phone number.", "+493012345678", "The 'To' number [erased] is not a valid phone number.", true},
		{"+4930123456789", "+493012345678", "+4930123456789", false},
		{`{"phone":"+1 (415) 555-0100","note":"or +1.415.555.0100"}`, "+14155550100", `{"phone":"[erased]","note":"or [erased]"}`, true},
		{"+1 415 555 0100 9", "+14155550100", "+1 415 555 0100 9", false},
		{"SMS to 0044 20 7946 0958 failed, and to +44 (0)20 7946 0958.", "+442079460958", "SMS to [erased] failed, and to [erased].", true},
		{"10044 20 7946 0958", "+442079460958", "10044 20 7946 0958", false},
		{`webhook 400: {\"error\":\"\u003cAnn@Example.com\u003e unknown\"}`, "ann@example.com", `webhook 400: {\"error\":\"\u003c[erased]\u003e unknown\"}`, true},
		{`{"to":"b\u00fccher@example.com","cc":"b\u00fccher@example.com.au"}`, "bücher@example.com", `{"to":"[erased]","cc":"b\u00fccher@example.com.au"}`, true},
		{"für Anna@BÜCHER.example: unbekannt", "anna@bücher.example", "für [erased]: unbekannt", true},
		{"ann@example.com", "", "ann@example.com", false},
	} {
		got, changed := ReplaceMentions(c.text, c.value, "[erased]")
		if got != c.want || changed != c.changed {
			t.Errorf("ReplaceMentions(%q, %q) = %q, %v, want %q, %v", c.text, c.value, got, changed, c.want, c.changed)
		}
	}
}

func TestPhoneSearches(t *testing.T) {
	searches := PhoneSearches("+14155550100")
	finds := func(text string) bool {
		return slices.ContainsFunc(searches, func(s PhoneSearch) bool {
			return strings.Contains(text, s.Prefix) && regexp.MustCompile(s.Pattern).MatchString(text)
		})
	}
	for _, text := range []string{"+14155550100", "+1 415-555-0100", "x +1 (415) 555.0100 y", "+1 415 555 - 0100",
		"0014155550100", "001 415 555 0100", "+1 (0)415 555 0100", "001 (0) 415 555 0100"} {
		if !finds(text) {
			t.Errorf("the searches do not find %q", text)
		}
	}
	for _, text := range []string{"14155550100", "(415) 555-0100", "+2 415 555 0100", "01 415 555 0100", "+14 (0)15 555 0100"} {
		if finds(text) {
			t.Errorf("the searches find %q", text)
		}
	}
	for _, s := range searches {
		if !strings.HasPrefix(s.Pattern, regexp.QuoteMeta(s.Prefix)) {
			t.Errorf("the pattern %q does not begin with its prefix %q", s.Pattern, s.Prefix)
		}
	}
	if PhoneSearches("ann@example.com") != nil || PhoneSearches("+") != nil || PhoneSearches("+1 415") != nil {
		t.Error("a value that is not a number has searches")
	}
}
