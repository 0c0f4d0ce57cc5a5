package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// throwawayPostgres is a PostgreSQL server of the test's own, made with
// initdb and run with pg_ctl from the installed binaries on a free loopback
// port, so that stopping it never disturbs the shared one.
type throwawayPostgres struct {
	bin, dir string
	port     int
	// as runs the server's programs as the postgres user when the tests
	// run as root (initdb refuses root).
	as *syscall.Credential
}

// startThrowawayPostgres initialises and starts a cluster, removed when
// the test ends. Without PostgreSQL's binaries the test is skipped (failed
// in CI).
func startThrowawayPostgres(t *testing.T) *throwawayPostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
		}
		t.Skip("PostgreSQL binaries not installed")
	}
	sort.Strings(bins)
	pg := &throwawayPostgres{bin: filepath.Dir(bins[len(bins)-1]), port: freePort(t)}
	dir, err := os.MkdirTemp("", "stockbell-pg-")
	if err != nil {
		t.Fatal(err)
	}
	pg.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		pg.as = postgresUser(t)
		if err := os.Chown(dir, int(pg.as.Uid), int(pg.as.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	pg.run(t, "initdb", "-D", pg.data(), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
	pg.start(t)
	t.Cleanup(func() { pg.exec("pg_ctl", "-D", pg.data(), "-m", "immediate", "-w", "stop") })
	return pg
}

func postgresUser(t *testing.T) *syscall.Credential {
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Skipf("running as root without a postgres user: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

func (pg *throwawayPostgres) data() string { return filepath.Join(pg.dir, "data") }

// url is the server's postgres database.
func (pg *throwawayPostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=5", pg.port)
}

// start starts the server and waits until it accepts connections.
func (pg *throwawayPostgres) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories='%s'", pg.port, pg.dir)
	pg.run(t, "pg_ctl", "-D", pg.data(), "-o", opts, "-l", filepath.Join(pg.dir, "server.log"), "-w", "-t", "60", "start")
}

// crash stops the server as a crash would (immediate mode: no checkpoint;
// the next start recovers from the write-ahead log).
func (pg *throwawayPostgres) crash(t *testing.T) {
	t.Helper()
	pg.run(t, "pg_ctl", "-D", pg.data(), "-m", "immediate", "-w", "stop")
}

func (pg *throwawayPostgres) run(t *testing.T, program string, args ...string) {
	t.Helper()
	if out, err := pg.exec(program, args...); err != nil {
		log, _ := os.ReadFile(filepath.Join(pg.dir, "server.log"))
		t.Fatalf("%s %v: %v\n%s\n%s", program, args, err, out, log)
	}
}

func (pg *throwawayPostgres) exec(program string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(pg.bin, program), args...)
	cmd.Dir = pg.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if pg.as != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pg.as}
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
		}
	}()
	return cmd.CombinedOutput()
}

// freePort returns a loopback TCP port free right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
