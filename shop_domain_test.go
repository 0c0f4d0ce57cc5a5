package stockbell

import "testing"

// TestHostHasPort: a host names a port after its name, or after the
// brackets of an IPv6 address, whose own colons name none.
func TestHostHasPort(t *testing.T) {
	for host, want := range map[string]bool{
		"shop.example":       false,
		"shop.example:8443":  true,
		"[2001:db8::1]":      false,
		"[2001:db8::1]:8443": true,
		"[::1]":              false,
		"":                   false,
	} {
		if got := HostHasPort(host); got != want {
			t.Errorf("HostHasPort(%q) = %v, want %v", host, got, want)
		}
	}
}
