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
// pages of the whole server: a few milliseconds on an idle server,
// seconds while other test processes write. A test's database is
// therefore dropped after the test by the process's droppers, while the
// next tests run, rather than by the test's cleanup. There are
// dropWorkers of them because drops made at the same moment share a
// checkpoint (four together took 1.0 to 2.1 s, four one after another
// 7.4 to 13.7 s, on a loaded machine): one dropper fell behind the tests,
// and their cleanups then dropped their databases themselves, a
// checkpoint each on the tests' path.
//
// A process can end with drops still pending (the last tests'); those
// databases are dropped as stale by a later test process. At most
// maxPendingDrops wait: a cleanup that finds that many drops its database
// itself, so a process leaves at most those behind, and the dropWorkers
// the droppers were dropping when the process ended.
const (
	maxPendingDrops = 2
	dropWorkers     = 4
)

type pendingDrop struct{ base, name string }

var dropper struct {
	once    sync.Once
	pending chan pendingDrop
}

// dropLater drops the database off the test's path (see maxPendingDrops).
func dropLater(base, name string) {
	dropper.once.Do(func() {
		dropper.pending = make(chan pendingDrop, maxPendingDrops)
		for range dropWorkers {
			go func() {
				for d := range dropper.pending {
					dropDatabase(d.base, d.name)
				}
			}()
		}
	})
	select {
	case dropper.pending <- pendingDrop{base, name}:
	default:
		dropDatabase(base, name)
	}
}

// dropAll drops the databases, dropWorkers at a time so that the drops
// share checkpoints, and returns when all are dropped.
func dropAll(base string, names []string) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, dropWorkers)
	for _, name := range names {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			dropDatabase(base, name)
		})
	}
	wg.Wait()
}
