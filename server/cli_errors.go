package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// newCLIEnv is the environment of a command: with STOCKBELL_LOG_FORMAT=json
// a usage error's explanation is kept, then written as one log record.
func newCLIEnv(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) *cliEnv {
	env := &cliEnv{ctx: ctx, getenv: getenv, stdout: stdout, stderr: stderr}
	if logFormat(getenv) == "json" {
		env.usageText = &bytes.Buffer{}
	}
	return env
}

// usageOut is where a usage error's reason and usage go: standard error
// in text, kept for printUsageError in json.
func (env *cliEnv) usageOut() io.Writer {
	if env.usageText != nil {
		return env.usageText
	}
	return env.stderr
}

// printUsageError writes, in json, the usage error kept as one log record
// at level ERROR: its first line (the reason) the message, the usage in
// the usage field, so that a collector parsing every line of standard
// error keeps it. In text it was written as it came.
func (env *cliEnv) printUsageError() {
	if env.usageText == nil || env.usageText.Len() == 0 {
		return
	}
	reason, usage, _ := strings.Cut(strings.TrimSpace(env.usageText.String()), "\n")
	env.usageText.Reset()
	slog.New(slog.NewJSONHandler(env.stderr, nil)).Error(reason, "usage", usage)
}

// printError writes err as one line in the log format (one line for
// each of several configuration errors): "error: …" as text,
// or, in json, a log record at level ERROR, so that a collector parsing the
// server's JSON lines keeps the error it stopped with, a bad setting at
// start included (named in the record's setting field). The format is read
// from the environment, not from a configuration that may have failed to
// load: an unknown format prints text.
func printError(w io.Writer, format string, err error) {
	if many, ok := err.(configErrors); ok {
		for _, each := range many {
			printError(w, format, each)
		}
		return
	}
	text := strings.ReplaceAll(err.Error(), "\n", " ")
	if format != "json" {
		fmt.Fprintln(w, "error: "+text)
		return
	}
	var attrs []any
	var ce *configError
	if errors.As(err, &ce) {
		attrs = append(attrs, "setting", ce.Setting, "problem", ce.Problem)
	}
	slog.New(slog.NewJSONHandler(w, nil)).Error(text, attrs...)
}

// errSchemaNewer is migrate's refusal of a schema a newer build migrated:
// exit 3, a code of its own, so that a deploy's migration step run with an
// older binary fails unless the rollback is meant (--allow-newer-schema),
// and a pipeline can tell it from a database it could not reach (1).
var errSchemaNewer = errors.New("nothing migrated: the database's schema is newer than this build's (a newer Stockbell migrated it). " +
	"For a rollback to this version, meant, run migrate --allow-newer-schema, which exits 0; otherwise deploy the newer version")
