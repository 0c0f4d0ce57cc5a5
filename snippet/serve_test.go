package snippet

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stockbell/stockbell/server/web"
)

// Handler serves the bundle through the server's own snippet routes
// (server/web), as storefronts reach it.
func (b *Bundle) Handler() http.Handler {
	s := web.NewServer(slog.New(slog.DiscardHandler), prometheus.NewRegistry(), nil)
	s.RegisterSnippet(b)
	return s.Handler()
}

// etag is the ETag the server gives the bundle in a content coding.
func (b *Bundle) etag(coding string) string {
	if coding == "" {
		return `"` + b.Hash + `"`
	}
	return `"` + b.Hash + "-" + coding + `"`
}
