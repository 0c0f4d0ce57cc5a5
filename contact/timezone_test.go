package contact_test

import (
	"testing"

	"github.com/stockbell/stockbell/contact"
)

func TestTimeZones(t *testing.T) {
	for number, want := range map[string]string{"+12125550123": "America/New_York", "+33612345678": "Europe/Paris"} {
		if zones := contact.TimeZones(number); len(zones) != 1 || zones[0].String() != want {
			t.Errorf("TimeZones(%s) = %v, want [%s]", number, zones, want)
		}
	}
	if zones := contact.TimeZones("not a number"); zones != nil {
		t.Errorf("TimeZones of no number = %v, want none", zones)
	}
}
