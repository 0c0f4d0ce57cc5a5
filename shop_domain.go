package stockbell

import (
	"net/url"
	"strings"
)

// HostHasPort reports whether a host names a port: host:port, or
// [address]:port for an IPv6 address, whose brackets hold colons of its
// own. It allocates nothing: the storefront asks it of a shop's domains
// on every request.
func HostHasPort(host string) bool {
	if strings.HasPrefix(host, "[") {
		return strings.Contains(host, "]:")
	}
	return strings.Contains(host, ":")
}

// HostWithoutDefaultPort is u's host without its scheme's default port
// (:443 for https, :80 for http), which browsers never write in an
// Origin: a shop's domain never carries it.
func HostWithoutDefaultPort(u *url.URL) string {
	if p := u.Port(); (u.Scheme == "https" && p == "443") || (u.Scheme == "http" && p == "80") {
		return strings.TrimSuffix(u.Host, ":"+p)
	}
	return u.Host
}

// DomainWithoutDefaultPort is a shop domain (a host, perhaps with a port
// and a folder: magento.example:443, shop.example:443/boutique) without
// the port 443 or 80. A domain names no scheme; its storefront is https
// (http in development), whose pages' Origin never writes either port, so
// a domain stored with one before names the same storefront without it.
func DomainWithoutDefaultPort(domain string) string {
	host, folder, _ := strings.Cut(domain, "/")
	if folder != "" || strings.HasSuffix(domain, "/") {
		folder = "/" + folder
	}
	for _, port := range []string{":443", ":80"} {
		// A bare IPv6 address ends in its own groups, not a port.
		if bare, ok := strings.CutSuffix(host, port); ok && (!strings.Contains(bare, ":") || strings.HasSuffix(bare, "]")) {
			return bare + folder
		}
	}
	return domain
}
