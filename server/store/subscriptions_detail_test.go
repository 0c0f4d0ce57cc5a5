package store

import (
	"encoding/json"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// The subscribed event's detail written out by hand is byte for byte what
// json.Marshal makes of subscribedDetail, for every kind of source.
func TestEncodeSubscribedDetailIsJSONMarshal(t *testing.T) {
	sources := []string{"", "snippet", "api", "import", `a "quoted" \ source`, "<script>&", "tab\there\nline\x01",
		"café", "bad \xff utf-8", "line\u2028separator", "del\x7f"}
	channels := []stockbell.Channels{nil, {}, {stockbell.ChannelEmail}, {stockbell.ChannelEmail, stockbell.ChannelSMS},
		{stockbell.ChannelSMS}}
	for _, source := range sources {
		for _, ch := range channels {
			sub := &stockbell.Subscription{Channels: ch, Source: source}
			want, err := json.Marshal(subscribedDetail(sub))
			if err != nil {
				t.Fatal(err)
			}
			if got := encodeSubscribedDetail(sub); got != string(want) {
				t.Errorf("channels %v, source %q: %s, want %s", ch, source, got, want)
			}
		}
	}
}
