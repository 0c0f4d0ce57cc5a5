package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stockbell/stockbell/server/jobs"
	"github.com/stockbell/stockbell/server/store"
	"github.com/stockbell/stockbell/server/store/storetest"
)

// lockedBuffer is a log destination the queue's goroutines may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestQueueBookkeepingIsLoggedAtDebug: the job queue's own bookkeeping
// (River's "client started", its producers' job counts every minute) is
// logged at debug, so that a server at the default level info logs what
// an operator acts on, not a line a minute per queue; at debug it is
// still there.
func TestQueueBookkeepingIsLoggedAtDebug(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for level, wantShown := range map[slog.Level]bool{slog.LevelInfo: false, slog.LevelDebug: true} {
			var out lockedBuffer
			logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: level}))
			ctx := context.Background()
			queue, err := jobs.New(ctx, jobs.Config{Database: jobsDatabase(t, db), Workers: jobs.NewWorkers(), Logger: logger})
			must(t, err)
			must(t, queue.Start(ctx))
			queue.Stop(ctx)
			if shown := strings.Contains(out.String(), "River client started"); shown != wantShown {
				t.Errorf("at level %s the queue's start is logged: %v, want %v:\n%s", level, shown, wantShown, out.String())
			}
			if level == slog.LevelDebug && !strings.Contains(out.String(), "level=DEBUG") {
				t.Errorf("at level debug the queue's start is not logged at debug:\n%s", out.String())
			}
		}
	})
}
