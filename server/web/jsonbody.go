package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	stockbell "github.com/stockbell/stockbell"
)

// decodeJSONBody decodes body, one JSON object, into v: the one JSON
// decoder of request bodies (the storefront's and the admin API's). With
// refuseUnknown, a field v does not have is refused naming it. A value of
// the wrong type names its field and the type it must be, and anything
// after the object but whitespace is refused, so that a body is never half
// read. Without refuseUnknown (the storefront's hot path) json.Unmarshal
// does it all in one pass and one allocation less than a Decoder.
func decodeJSONBody(body []byte, v any, refuseUnknown bool) error {
	if !refuseUnknown {
		if len(bytes.TrimSpace(body)) == 0 {
			return errEmptyBody
		}
		if err := json.Unmarshal(body, v); err != nil {
			return jsonBodyError(err, body)
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonBodyError(err, body)
	}
	if rest := body[dec.InputOffset():]; len(bytes.TrimLeft(rest, " \t\r\n")) > 0 {
		return errTrailingData
	}
	return nil
}

// decodeJSONAt decodes raw, the JSON value at path within a request body
// (steps[1]), into v as decodeJSONBody decodes the admin API's bodies:
// refusing unknown fields, and naming the fields of its errors from path
// (steps[1].delay), which Go's decoder cannot do inside an array or map.
func decodeJSONAt(raw []byte, v any, path string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonValueError(err, raw, path)
	}
	return nil
}

var errEmptyBody = stockbell.FieldErrorf("body", "The request body is empty: send a JSON object.")

var errTrailingData = stockbell.FieldErrorf("body", "The request body has more after its JSON object: send one JSON object and nothing after it.")

// jsonBodyError says what is wrong with body, which the decoder refused.
func jsonBodyError(err error, body []byte) error {
	var syntaxErr *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return errEmptyBody
	case errors.As(err, &syntaxErr) && strings.HasSuffix(err.Error(), "after top-level value"):
		// json.Unmarshal read a whole value, then more than whitespace.
		return errTrailingData
	}
	return jsonValueError(err, body, "")
}

// jsonValueError says what is wrong with raw, the JSON value at path (the
// body itself when path is ""), naming the field from path and the value
// of the wrong type as sent (sentKind).
func jsonValueError(err error, raw []byte, path string) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "" && path == "":
		return stockbell.FieldErrorf("body", "The request body must be a JSON object, got %s.", sentKind(raw, typeErr))
	case errors.As(err, &typeErr):
		field := joinJSONPath(path, typeErr.Field)
		return stockbell.FieldErrorf(field, "%s must be a JSON %s, got %s.", field, jsonKind(typeErr.Type.Kind().String()), sentKind(raw, typeErr))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := joinJSONPath(path, strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
		return stockbell.FieldErrorf(field, "Unknown field %q.", field)
	}
	return stockbell.FieldErrorf("body", "The request body is not valid JSON: %v.", err)
}

// joinJSONPath names field within the value at path: steps[1] and delay
// make steps[1].delay.
func joinJSONPath(path, field string) string {
	switch {
	case path == "":
		return field
	case field == "":
		return path
	}
	return path + "." + field
}

// jsonKind names a Go kind as JSON calls it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "bool":
		return "boolean"
	case kind == "slice":
		return "array"
	case kind == "map", kind == "struct", kind == "ptr":
		return "object"
	}
	return kind
}

// jsonValueKind names the type of value, one JSON value, as the decoder's
// errors do, followed by the value itself when it is a string, a number or
// a boolean: string "yes", number 5, bool true; object, array or null. So
// the string "2100" and the number 2100 read apart in a refusal. A value
// longer than 40 bytes is cut, ending in "…".
func jsonValueKind(value string) string {
	value = strings.TrimSpace(value)
	if len(value) > 40 {
		cut := 40
		for cut > 0 && !utf8.RuneStart(value[cut]) {
			cut--
		}
		value = value[:cut] + "…"
	}
	switch {
	case value == "":
		return "nothing"
	case value == "null":
		return "null"
	case value[0] == 't', value[0] == 'f':
		return "bool " + value
	case value[0] == '{':
		return "object"
	case value[0] == '[':
		return "array"
	case value[0] == '"':
		return "string " + value
	}
	return "number " + value
}

// sentKind names the value a decoder's type error is about as
// jsonValueKind does (number 5, string "yes"), finding it in raw by the
// error's field, or as the first value of the refused type in the array
// the field holds (the field does not index it). Where it finds none (a
// value within a map), it names the type in the decoder's words.
func sentKind(raw []byte, typeErr *json.UnmarshalTypeError) string {
	value := json.RawMessage(raw)
	if typeErr.Field != "" {
		for name := range strings.SplitSeq(typeErr.Field, ".") {
			if value = jsonMember(value, name); value == nil {
				return typeErr.Value
			}
		}
	}
	refused, _, _ := strings.Cut(typeErr.Value, " ")
	if kind := jsonValueKind(string(value)); strings.HasPrefix(kind, refused) {
		return kind
	}
	var items []json.RawMessage
	_ = json.Unmarshal(value, &items)
	for _, item := range items {
		if kind := jsonValueKind(string(item)); strings.HasPrefix(kind, refused) {
			return kind
		}
	}
	return typeErr.Value
}

// jsonMember is the member name of the JSON object raw, matched as the
// decoder matches a field (its exact name first, else ignoring case); nil
// when raw is no object or has no such member.
func jsonMember(raw json.RawMessage, name string) json.RawMessage {
	var object map[string]json.RawMessage
	if json.Unmarshal(raw, &object) != nil {
		return nil
	}
	if value, ok := object[name]; ok {
		return value
	}
	for key, value := range object {
		if strings.EqualFold(key, name) {
			return value
		}
	}
	return nil
}
