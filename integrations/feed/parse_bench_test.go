package feed_test

import (
	"bytes"
	"io"
	"testing"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/feed"
	"github.com/stockbell/stockbell/integrations/feed/feedtest"
)

// BenchmarkParseJSON parses a 100,000-item JSON feed held in memory, one
// item per line, emitting into nothing: the parser's own cost (line
// tracking for error positions included), without the network and the
// database that BenchmarkFeedSync (bench/) adds.
//
//	go test ./integrations/feed -run '^$' -bench ParseJSON -count 10
func BenchmarkParseJSON(b *testing.B) {
	doc, err := io.ReadAll(feedtest.Stream("json", 100_000, 0))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := feed.Parse(bytes.NewReader(doc), feed.JSON, func(stockbell.FeedItem) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
