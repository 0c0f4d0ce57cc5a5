package netguard

import (
	"net/http"
	"testing"
)

// TestStayOnHostWithDefaultPorts: a redirect to the same host is
// followed whether or not its address writes the scheme's default port
// (http→https included, as a shop forcing https answers), and one to
// another host or port is refused.
func TestStayOnHostWithDefaultPorts(t *testing.T) {
	check := StayOnHost("test shop")
	cases := []struct {
		from, to string
		follow   bool
	}{
		{"http://shop.example/api/products", "https://shop.example/api/products", true},
		{"http://shop.example/api/products", "https://shop.example:443/api/products", true},
		{"http://shop.example:80/api/products", "https://SHOP.example/api/products", true},
		{"https://shop.example:443/api/products", "https://shop.example/api/products?x=1", true},
		{"http://shop.example/api/products", "https://www.shop.example/api/products", false},
		{"https://shop.example/api/products", "https://shop.example:8443/api/products", false},
		{"http://shop.example:8080/api/products", "http://shop.example/api/products", false},
	}
	for _, c := range cases {
		from, _ := http.NewRequest(http.MethodGet, c.from, nil)
		to, _ := http.NewRequest(http.MethodGet, c.to, nil)
		err := check(to, []*http.Request{from})
		if follow := err == nil; follow != c.follow {
			t.Errorf("%s → %s: followed %v (%v), want %v", c.from, c.to, follow, err, c.follow)
		}
		if SameHost(from.URL, to.URL) != c.follow {
			t.Errorf("SameHost(%s, %s) = %v, want %v", c.from, c.to, !c.follow, c.follow)
		}
	}
}
