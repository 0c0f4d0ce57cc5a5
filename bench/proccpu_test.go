package bench

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) this process has used
// so far. Read around a load run, it gives what the run cost the
// application (the load generator, the server and, for webhooks, the
// processing running beside it), a figure the machine's other load moves
// much less than the wall-clock rate.
func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
