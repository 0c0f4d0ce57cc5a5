package jobs

import (
	"context"
	"log/slog"
)

// bookkeepingAtDebug is the handler River logs through: its info lines
// are its own bookkeeping (client started and stopped, each producer's
// job counts once a minute per queue, maintenance services' runs), so
// they are logged at debug, and a server at the default level info shows
// what an operator acts on. River's warnings and errors (a job that
// failed, a lost connection) keep their level.
type bookkeepingAtDebug struct{ slog.Handler }

func (h bookkeepingAtDebug) Enabled(ctx context.Context, level slog.Level) bool {
	return h.Handler.Enabled(ctx, demote(level))
}

func (h bookkeepingAtDebug) Handle(ctx context.Context, r slog.Record) error {
	r.Level = demote(r.Level)
	return h.Handler.Handle(ctx, r)
}

func (h bookkeepingAtDebug) WithAttrs(attrs []slog.Attr) slog.Handler {
	return bookkeepingAtDebug{h.Handler.WithAttrs(attrs)}
}

func (h bookkeepingAtDebug) WithGroup(name string) slog.Handler {
	return bookkeepingAtDebug{h.Handler.WithGroup(name)}
}

func demote(level slog.Level) slog.Level {
	if level == slog.LevelInfo {
		return slog.LevelDebug
	}
	return level
}
