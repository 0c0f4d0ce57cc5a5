package magento

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// errorBody is Magento's REST error answer: a message whose placeholders
// (%name, or %1, %2…) the parameters fill, as an object or a list.
type errorBody struct {
	Message    string          `json:"message"`
	Parameters json.RawMessage `json:"parameters"`
}

func readErrorBody(raw []byte) errorBody {
	var body errorBody
	if json.Unmarshal(raw, &body) != nil || body.Message == "" {
		body.Message = fmt.Sprintf("%.200s", strings.TrimSpace(string(raw)))
	}
	return body
}

// named returns the parameters given by name, nil when they are a list
// or absent.
func (b errorBody) named() map[string]any {
	var named map[string]any
	json.Unmarshal(b.Parameters, &named)
	return named
}

// resources is the "resources" parameter of an ACL refusal ("The consumer
// isn't authorized to access %resources."): the ACL resources the route
// needs, comma-separated. Empty for any other answer.
func (b errorBody) resources() string {
	s, _ := b.named()["resources"].(string)
	return s
}

// text is the message with its parameters substituted.
func (b errorBody) text() string {
	var positional []any
	values := map[string]any{}
	if json.Unmarshal(b.Parameters, &positional) == nil {
		for i, v := range positional {
			values[strconv.Itoa(i+1)] = v
		}
	} else {
		values = b.named()
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	// Longest first, so that %10 is not read as %1 followed by 0.
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	msg := b.Message
	for _, k := range keys {
		msg = strings.ReplaceAll(msg, "%"+k, fmt.Sprint(values[k]))
	}
	return msg
}
