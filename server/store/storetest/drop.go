package storetest

import (
	"fmt"
	"sync"
	"time"
)

// testDatabasePrefix names the tests' databases; the creation time
// follows, by which a database left behind is found (dropStaleDatabases).
const testDatabasePrefix = "stockbell_test_"

// newDatabaseName names a new test database.
func newDatabaseName() string {
	return fmt.Sprintf("%s%d_%s", testDatabasePrefix, time.Now().Unix(), randomHex(6))
}

// PostgreSQL checkpoints on every DROP DATABASE, writing out the dirty
// pages of the whole server: a few milliseconds on an idle server, up to a
// second while other test processes write. A test's database is therefore
// dropped after the test by a goroutine of the process, while the next
// test runs, rather than by the test's cleanup.
//
// A process can end with drops still pending (the last tests'); those
// databases are dropped as stale by a later test process. At most
// maxPendingDrops wait: a cleanup that finds that many drops its database
// itself, so a process leaves at most those behind, and the one the
// goroutine was dropping when the process ended.
const maxPendingDrops = 2

type pendingDrop struct{ base, name string }

var dropper struct {
	once    sync.Once
	pending chan pendingDrop
}

// dropLater drops the database off the test's path (see maxPendingDrops).
func dropLater(base, name string) {
	dropper.once.Do(func() {
		dropper.pending = make(chan pendingDrop, maxPendingDrops)
		go func() {
			for d := range dropper.pending {
				dropDatabase(d.base, d.name)
			}
		}()
	})
	select {
	case dropper.pending <- pendingDrop{base, name}:
	default:
		dropDatabase(base, name)
	}
}
