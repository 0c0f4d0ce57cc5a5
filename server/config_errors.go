package main

import (
	"errors"
	"slices"
	"strings"
)

// configError names the setting that is wrong.
type configError struct {
	Setting string
	Problem string
}

func (e *configError) Error() string { return e.Setting + ": " + e.Problem }

// configErrors is every configuration error found in one reading, in the
// order the settings are read: a command stops with one line for each.
type configErrors []error

// add appends err, unless nil or already there (a setting checked twice,
// as the address is); the errors of a configErrors are added one by one.
func (e *configErrors) add(err error) {
	var many configErrors
	switch {
	case err == nil:
	case errors.As(err, &many):
		for _, each := range many {
			e.add(each)
		}
	case !slices.ContainsFunc(*e, func(had error) bool { return had.Error() == err.Error() }):
		*e = append(*e, err)
	}
}

// err is nil without errors, the error alone when there is one, or e.
func (e configErrors) err() error {
	switch len(e) {
	case 0:
		return nil
	case 1:
		return e[0]
	}
	return e
}

func (e configErrors) Error() string {
	lines := make([]string, len(e))
	for i, err := range e {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find the first configError, as when it was alone.
func (e configErrors) Unwrap() []error { return e }
