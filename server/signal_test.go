package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecondSignalEndsTheProcess: the first SIGTERM starts the graceful
// shutdown (here one that would wait a minute); a second one ends the
// process at once, by the signal.
func TestSecondSignalEndsTheProcess(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalledProcess$", "-test.v", "-test.timeout=0")
	cmd.Env = append(os.Environ(), "STOCKBELL_TEST_SIGNALLED_PROCESS=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	waitForLine := func(want string) {
		t.Helper()
		for lines.Scan() {
			if strings.Contains(lines.Text(), want) {
				return
			}
		}
		t.Fatalf("the process ended before saying %q", want)
	}
	waitForLine("waiting for a signal")
	signal := func() {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	signal()
	waitForLine("shutting down")
	signal()
	exited := make(chan error, 1)
	go func() {
		for lines.Scan() { // drain, so that the process never blocks writing
		}
		exited <- cmd.Wait()
	}()
	select {
	case err := <-exited:
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Fatalf("the process ended with %v, want an end by SIGTERM", err)
		}
		if status, ok := exitErr.Sys().(syscall.WaitStatus); !ok || !status.Signaled() || status.Signal() != syscall.SIGTERM {
			t.Errorf("the process ended with %v, want an end by SIGTERM", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a second SIGTERM during the shutdown did not end the process")
	}
}

// TestSignalledProcess is the process TestSecondSignalEndsTheProcess
// signals: main's signal handling, then a shutdown that takes a minute.
func TestSignalledProcess(t *testing.T) {
	if os.Getenv("STOCKBELL_TEST_SIGNALLED_PROCESS") == "" {
		t.Skip("run by TestSecondSignalEndsTheProcess")
	}
	ctx := signalContext()
	fmt.Println("waiting for a signal")
	<-ctx.Done()
	fmt.Println("shutting down")
	time.Sleep(time.Minute)
}
