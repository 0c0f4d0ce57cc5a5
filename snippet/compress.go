package snippet

import (
	"bytes"
	"compress/gzip"
	"math/bits"

	"github.com/andybalholm/brotli"
)

// compress returns a file gzipped and brotli-compressed at their best
// levels, once at start-up. Brotli's window is sized to the file (a window
// larger than the input finds nothing more, and setting up the default
// 4 MB one is most of the cost of compressing a file of a few KB).
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
	bw := brotli.NewWriterOptions(&br, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: window(len(js))})
	if _, err := bw.Write(js); err != nil {
		return nil, err
	}
	if err := bw.Close(); err != nil {
		return nil, err
	}
	return map[string][]byte{"gzip": gz.Bytes(), "br": br.Bytes()}, nil
}

// window is the base 2 logarithm of the smallest brotli window that holds
// n bytes, within brotli's range of 10 to 24.
func window(n int) int {
	return min(max(bits.Len(uint(n)), 10), 24)
}
