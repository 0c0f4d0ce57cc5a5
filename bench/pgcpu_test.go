package bench

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clockTicks is the unit of /proc/PID/stat CPU times (USER_HZ, 100 on
// Linux).
const clockTicks = 100

// pgDatabase returns the database name of a PostgreSQL URL, "" for any
// other URL.
func pgDatabase(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// pgCPU returns the CPU time used so far by the PostgreSQL server
// processes serving the database (found by their process titles), which
// must run on this machine. A
// backend that exits between two readings takes its time with it; the
// benchmarks' pools keep theirs open.
func pgCPU(b *testing.B, database string) time.Duration {
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		b.Fatal(err)
	}
	var ticks int64
	for _, cmdline := range procs {
		title, err := os.ReadFile(cmdline)
		if err != nil || !bytes.HasPrefix(title, []byte("postgres: ")) {
			continue
		}
		if !servesDatabase(string(title), database) {
			continue
		}
		ticks += processTicks(filepath.Join(filepath.Dir(cmdline), "stat"))
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// servesDatabase reports whether a backend's process title, "postgres:
// [CLUSTER:] USER DATABASE HOST STATE", names the database.
func servesDatabase(title, database string) bool {
	fields := strings.Fields(strings.ReplaceAll(title, "\x00", " "))
	for _, f := range fields[1:min(len(fields), 5)] {
		if f == database {
			return true
		}
	}
	return false
}

// processTicks returns utime+stime from a /proc/PID/stat file, 0 if the
// process is gone.
func processTicks(statFile string) int64 {
	stat, err := os.ReadFile(statFile)
	if err != nil {
		return 0
	}
	// Fields after the command name in parentheses; utime and stime are
	// the 14th and 15th fields of the whole line.
	rest := string(stat[bytes.LastIndexByte(stat, ')')+1:])
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime
}
