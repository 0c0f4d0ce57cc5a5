package stockbell

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// Channels is a set of channels, stored as comma-separated text.
type Channels []Channel

// Value implements driver.Valuer.
func (c Channels) Value() (driver.Value, error) {
	parts := make([]string, len(c))
	for i, ch := range c {
		parts[i] = string(ch)
	}
	return strings.Join(parts, ","), nil
}

// Scan implements sql.Scanner.
func (c *Channels) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
		*c = nil
		return nil
	default:
		return fmt.Errorf("channels: cannot scan %T", src)
	}
	*c = nil
	for _, part := range strings.Split(s, ",") {
		if part != "" {
			*c = append(*c, Channel(part))
		}
	}
	return nil
}

// Has reports whether the set holds ch.
func (c Channels) Has(ch Channel) bool {
	for _, have := range c {
		if have == ch {
			return true
		}
	}
	return false
}
