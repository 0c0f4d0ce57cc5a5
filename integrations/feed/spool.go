package feed

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"

	stockbell "github.com/stockbell/stockbell"
)

// spool keeps the changed items of a document on disk until the whole
// document has been read and found sound: only then is anything applied,
// and a 100 MB feed is never held in memory.
type spool struct {
	file *os.File
	w    *bufio.Writer
	n    int
}

func newSpool(dir string) (*spool, error) {
	f, err := os.CreateTemp(dir, "stockbell-feed-*.spool")
	if err != nil {
		return nil, err
	}
	return &spool{file: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// add appends an item: each string as a length-prefixed byte run, then
// the quantity.
func (s *spool) add(it stockbell.FeedItem) error {
	var buf [binary.MaxVarintLen64]byte
	for _, field := range []string{it.ID, it.Title, it.Link, it.ImageURL, it.Price} {
		if _, err := s.w.Write(buf[:binary.PutUvarint(buf[:], uint64(len(field)))]); err != nil {
			return err
		}
		if _, err := s.w.WriteString(field); err != nil {
			return err
		}
	}
	_, err := s.w.Write(buf[:binary.PutUvarint(buf[:], uint64(it.Quantity))])
	s.n++
	return err
}

// each replays the items in batches of up to size.
func (s *spool) each(size int, fn func([]stockbell.FeedItem) error) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(s.file, 256<<10)
	batch := make([]stockbell.FeedItem, 0, size)
	for range s.n {
		it, err := readSpooled(r)
		if err != nil {
			return err
		}
		if batch = append(batch, it); len(batch) == size {
			if err := fn(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

func readSpooled(r *bufio.Reader) (stockbell.FeedItem, error) {
	var fields [5]string
	for i := range fields {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return stockbell.FeedItem{}, err
		}
		if n > MaxURLLength+MaxTitleLength {
			return stockbell.FeedItem{}, errors.New("feed: corrupt spool")
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return stockbell.FeedItem{}, err
		}
		fields[i] = string(b)
	}
	q, err := binary.ReadUvarint(r)
	return stockbell.FeedItem{ID: fields[0], Title: fields[1], Link: fields[2], ImageURL: fields[3], Price: fields[4], Quantity: int(q)}, err
}

// close removes the spool file.
func (s *spool) close() {
	s.file.Close()
	os.Remove(s.file.Name())
}
