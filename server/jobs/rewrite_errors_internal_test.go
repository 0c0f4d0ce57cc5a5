package jobs

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// recordedErrors has an attempt's error, a bare string, and values that
// are no strings: a null entry, a number, and a null field.
const recordedErrors = `[{"at":"2026-01-02T03:04:05Z","attempt":2,"error":"550 no mailbox a@example.com","trace":"at a@example.com"},
	"bare a@example.com", null, 7, {"attempt":3,"error":null,"trace":"kept"}]`

// TestWalkAttemptErrorsVisitsEveryString: the strings come in the order of
// the attempts and, within one, of the fields' names, each with its
// attempt; a null is no string, neither as an entry nor as a field.
func TestWalkAttemptErrorsVisitsEveryString(t *testing.T) {
	var got []errorText
	out, changed, err := walkAttemptErrors([]byte(recordedErrors), func(e errorText) (string, bool) {
		got = append(got, e)
		return "", false
	})
	if err != nil || changed || out != nil {
		t.Fatalf("a walk that changes nothing returned %s, %v, %v", out, changed, err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	want := []errorText{
		{attempt: 2, at: at, field: "at", text: "2026-01-02T03:04:05Z"},
		{attempt: 2, at: at, field: "error", text: "550 no mailbox a@example.com"},
		{attempt: 2, at: at, field: "trace", text: "at a@example.com"},
		{field: "error", text: "bare a@example.com"},
		{attempt: 3, field: "trace", text: "kept"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("visited\n%+v\nwant\n%+v", got, want)
	}
}

// TestWalkAttemptErrorsRewrites: the strings rewrite changes are stored
// back in place; every entry stays, a null stays null.
func TestWalkAttemptErrorsRewrites(t *testing.T) {
	erase := func(e errorText) (string, bool) {
		out := strings.ReplaceAll(e.text, "a@example.com", "[erased]")
		return out, out != e.text
	}
	out, changed, err := walkAttemptErrors([]byte(recordedErrors), erase)
	if err != nil || !changed {
		t.Fatalf("rewrite: changed %v, %v", changed, err)
	}
	var got, want []any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(`[{"at":"2026-01-02T03:04:05Z","attempt":2,"error":"550 no mailbox [erased]","trace":"at [erased]"},
		"bare [erased]", null, 7, {"attempt":3,"error":null,"trace":"kept"}]`), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rewritten errors %s", out)
	}
}
