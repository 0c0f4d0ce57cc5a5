package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

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
			return jsonBodyError(err)
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonBodyError(err)
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
		return jsonValueError(err, path)
	}
	return nil
}

var errEmptyBody = stockbell.FieldErrorf("body", "The request body is empty: send a JSON object.")

var errTrailingData = stockbell.FieldErrorf("body", "The request body has more after its JSON object: send one JSON object and nothing after it.")

// jsonBodyError says what is wrong with a body the decoder refused.
func jsonBodyError(err error) error {
	var syntaxErr *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return errEmptyBody
	case errors.As(err, &syntaxErr) && strings.HasSuffix(err.Error(), "after top-level value"):
		// json.Unmarshal read a whole value, then more than whitespace.
		return errTrailingData
	}
	return jsonValueError(err, "")
}

// jsonValueError says what is wrong with the JSON value at path (the body
// itself when path is ""), naming the field from path.
func jsonValueError(err error, path string) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "" && path == "":
		return stockbell.FieldErrorf("body", "The request body must be a JSON object, got %s.", typeErr.Value)
	case errors.As(err, &typeErr):
		field := joinJSONPath(path, typeErr.Field)
		return stockbell.FieldErrorf(field, "%s must be a JSON %s, got %s.", field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
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

// jsonValueKind names the type of a JSON value as the decoder's errors do:
// bool, object, array, string, or number and the number; and null.
func jsonValueKind(value string) string {
	switch value[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "bool"
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	}
	return "number " + value
}
