package stockbell_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestWebhookEndpointLengthLimits: an endpoint's URL has at most 2,000
// bytes and its description at most 200 characters; one over is refused on
// its field, and the URL's refusal says bytes, since a URL of fewer
// characters may be over in bytes.
func TestWebhookEndpointLengthLimits(t *testing.T) {
	longestURL := "https://hooks.example/" + strings.Repeat("a", 2000-len("https://hooks.example/"))
	longestDescription := strings.Repeat("é", 200)
	ok := stockbell.WebhookEndpointCreate{URL: longestURL, Description: longestDescription, EventTypes: stockbell.WebhookEventTypes[:1]}
	if err := ok.Validate(false); err != nil {
		t.Fatalf("a %d-character URL and a 200-character description: %v", len(longestURL), err)
	}
	for field, create := range map[string]stockbell.WebhookEndpointCreate{
		"url":         {URL: longestURL + "a", EventTypes: stockbell.WebhookEventTypes[:1]},
		"description": {URL: longestURL, Description: longestDescription + "e", EventTypes: stockbell.WebhookEventTypes[:1]},
	} {
		if err := create.Validate(false); stockbell.ErrorField(err) != field {
			t.Errorf("one character over on %s: %v", field, err)
		}
	}
	// 1,022 characters, 2,022 bytes as UTF-8.
	wide := stockbell.WebhookEndpointCreate{URL: "https://hooks.example/" + strings.Repeat("é", 1000), EventTypes: stockbell.WebhookEventTypes[:1]}
	err := wide.Validate(false)
	if stockbell.ErrorField(err) != "url" || !strings.Contains(stockbell.ErrorMessage(err), "over 2,000 bytes") {
		t.Errorf("a URL of %d characters and %d bytes: %v", len([]rune(wide.URL)), len(wide.URL), err)
	}
}
