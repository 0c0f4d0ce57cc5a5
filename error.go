package stockbell

import (
	"errors"
	"fmt"
)

// Error codes. They are few on purpose: each maps to one HTTP status.
const (
	ECONFLICT     = "conflict"     // the request conflicts with existing state
	EINTERNAL     = "internal"     // a bug or an outage; details are logged, not shown
	EINVALID      = "invalid"      // bad input; Message says what and Field names it
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	EUNAUTHORIZED = "unauthorized" // a signature, token or session is missing or wrong
	EFORBIDDEN    = "forbidden"    // the caller is known but may not do this
	ETOOLARGE     = "too_large"    // a body or file over its limit
	ERATELIMITED  = "rate_limited" // too many requests from one client or contact
	EUPSTREAM     = "upstream"     // a platform or provider failed or could not be reached; try again later
)

// Error is the one error type of the domain. Message is safe to show to the
// person who caused it; Field names the input that was wrong, when one was.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("stockbell error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("stockbell error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID *Error naming the field that was wrong.
func FieldErrorf(field string, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for any other error so internals never leak to clients.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field named by the first *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
