package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// runVersion prints what the binary was built from: the module's version
// (a release tag; for `go build` in a git checkout the pseudo-version Go
// stamps from its commit, v0.0.0-TIME-REVISION; "(devel)" without version
// control information, as by `go run`), the source
// revision and its time, and whether the checkout had changes, as the Go
// toolchain stamped them (`go build` in a git checkout does; `go run`
// does not), and the Go version. Nothing is read from the environment.
func runVersion(env *cliEnv, args []string) error {
	fs := newFlagSet(env, "version", "version\n\nPrints the build's version, source revision and Go version.")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(env.stdout, "stockbell: no build information in this binary")
		return nil
	}
	writeVersion(env.stdout, info)
	return nil
}

// writeVersion writes the lines of `stockbell version`.
func writeVersion(w io.Writer, info *debug.BuildInfo) {
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	fmt.Fprintf(w, "stockbell %s\n", info.Main.Version)
	if rev := settings["vcs.revision"]; rev != "" {
		dirty := ""
		if settings["vcs.modified"] == "true" {
			dirty = " (with uncommitted changes)"
		}
		fmt.Fprintf(w, "revision %s%s, %s\n", rev, dirty, settings["vcs.time"])
	} else {
		fmt.Fprintln(w, "revision unknown (built without version control information, as by go run)")
	}
	fmt.Fprintf(w, "%s\n", info.GoVersion)
}
