package contact

import (
	"time"

	"github.com/nyaruka/phonenumbers"
)

// TimeZones returns the time zones a phone number (E.164) may be in, as
// the numbering plan tells them by its prefix: one for most numbers,
// several for a prefix that spans zones (a mobile range of a large
// country), none when the plan does not tell or the number does not parse.
func TimeZones(e164 string) []*time.Location {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return nil
	}
	names, err := phonenumbers.GetTimezonesForNumber(num)
	if err != nil {
		return nil
	}
	var zones []*time.Location
	for _, name := range names {
		if loc, err := time.LoadLocation(name); err == nil && name != "Etc/Unknown" {
			zones = append(zones, loc)
		}
	}
	return zones
}
