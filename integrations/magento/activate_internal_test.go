package magento

import "testing"

// A store's domain is its host without its scheme's default port, which
// browsers never write in an Origin, and with any other port.
func TestStoreDomainDropsTheDefaultPort(t *testing.T) {
	for base, want := range map[string]string{
		"https://Magento.example:443":  "magento.example",
		"http://magento.example:80":    "magento.example",
		"https://magento.example":      "magento.example",
		"https://magento.example:8443": "magento.example:8443",
		"http://magento.example:443":   "magento.example:443",
	} {
		if got := storeDomain(base); got != want {
			t.Errorf("storeDomain(%q) = %q, want %q", base, got, want)
		}
	}
}
