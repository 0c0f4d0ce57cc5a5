package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
)

// BOM is the UTF-8 byte order mark: written first, it tells spreadsheet
// programs that the file is UTF-8.
const BOM = "\uFEFF"

// flushEvery is how many rows a CSVWriter buffers before passing them on,
// so that a long export reaches the client as it is written.
const flushEvery = 500

// CSVOptions tune an export.
type CSVOptions struct {
	// BOM starts the file with the UTF-8 byte order mark.
	BOM bool
}

// GuardCell neutralises text a spreadsheet would run as a formula: a cell
// starting with =, +, -, @, a tab or a carriage return gets a leading '.
// Product titles and contacts come from shoppers and platforms, not from
// the merchant opening the file.
func GuardCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSVWriter writes CSV rows as RFC 4180 says, every cell guarded by
// GuardCell, flushing every few hundred rows. encoding/csv quotes the
// cells; each row is ended by CRLF, while a line break inside a quoted
// cell is kept as it was (its UseCRLF would drop a lone carriage return).
type CSVWriter struct {
	out     *bufio.Writer
	row     bytes.Buffer
	cells   *csv.Writer // writes one row into row
	guarded []string
	pending int
}

// NewCSVWriter starts a CSV file on w, with the byte order mark when asked.
// Nothing reaches w before the first flush: the byte order mark and the
// header wait in the buffer with the first rows, so that an export whose
// first read fails has written no byte and can still answer an error.
func NewCSVWriter(w io.Writer, opts CSVOptions) *CSVWriter {
	c := &CSVWriter{out: bufio.NewWriter(w)}
	c.cells = csv.NewWriter(&c.row)
	if opts.BOM {
		c.out.WriteString(BOM)
	}
	return c
}

// Write writes one row.
func (c *CSVWriter) Write(cells ...string) error {
	c.guarded = c.guarded[:0]
	for _, cell := range cells {
		c.guarded = append(c.guarded, GuardCell(cell))
	}
	c.row.Reset()
	if err := c.cells.Write(c.guarded); err != nil {
		return err
	}
	c.cells.Flush()
	if err := c.cells.Error(); err != nil {
		return err
	}
	line := bytes.TrimSuffix(c.row.Bytes(), []byte("\n"))
	c.out.Write(line)
	if _, err := c.out.WriteString("\r\n"); err != nil {
		return err
	}
	if c.pending++; c.pending >= flushEvery {
		return c.Flush()
	}
	return nil
}

// Flush passes the buffered rows on and returns any write error.
func (c *CSVWriter) Flush() error {
	c.pending = 0
	return c.out.Flush()
}
