package snippet

import (
	"bytes"
	"compress/gzip"

	"github.com/andybalholm/brotli"
)

// compress returns the bundle gzipped and brotli-compressed at their best
// levels; it runs once at start-up, so the cost does not matter.
func compress(js []byte) (map[string][]byte, error) {
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(js); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	var br bytes.Buffer
	bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
	if _, err := bw.Write(js); err != nil {
		return nil, err
	}
	if err := bw.Close(); err != nil {
		return nil, err
	}
	return map[string][]byte{"gzip": gz.Bytes(), "br": br.Bytes()}, nil
}
