package stockbell_test

import (
	"strings"
	"testing"

	stockbell "github.com/stockbell/stockbell"
)

// TestWebhookEndpointLengthLimits: an endpoint's URL has at most 2,000
// characters and its description at most 200; one over is refused on its
// field.
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
}
