package netguard

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// RefuseDowngrade refuses a redirect from https to http, with a
// *RefusedError naming the subject. Go sends a request's Authorization
// header (basic auth included) and every other header it was given again
// on a redirect to the same host whatever the scheme, so a request carrying
// a password, a key or a token would cross the network in clear. Call it
// from an http.Client's CheckRedirect for every request that carries
// credentials.
func RefuseDowngrade(subject string, req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	from := via[len(via)-1].URL
	if from.Scheme == "https" && req.URL.Scheme == "http" {
		return &RefusedError{Reason: fmt.Sprintf("the %s redirected from https to http (to %s): refused, since its credentials would travel unencrypted",
			subject, req.URL.Host)}
	}
	return nil
}

// MaxRedirects is how many redirects a KeepCredentials policy follows, as
// many as Go's default policy.
const MaxRedirects = 10

// KeepCredentials returns an http.Client CheckRedirect for requests that
// carry credentials: it follows at most MaxRedirects hops, refuses a
// redirect from https to http (RefuseDowngrade), and drops Authorization
// (basic auth included) and the named credential headers once a redirect
// leaves the first request's host and port. Go drops Authorization for
// another domain on its own, but keeps it for a subdomain of the first
// host and for another port of its name, and sends every other header on
// to any host, so a token in a header of its own (X-Auth-Token,
// X-Shopify-Access-Token) would reach whoever the answer named.
func KeepCredentials(subject string, headers ...string) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= MaxRedirects {
			return fmt.Errorf("the %s redirected more than %d times", subject, MaxRedirects)
		}
		if err := RefuseDowngrade(subject, req, via); err != nil {
			return err
		}
		if !SameHost(req.URL, via[0].URL) {
			req.Header.Del("Authorization")
			for _, h := range headers {
				req.Header.Del(h)
			}
		}
		return nil
	}
}

// StayOnHost returns an http.Client CheckRedirect for requests signed
// afresh on every hop (OAuth 1.0a transports sign each request they send):
// it follows at most MaxRedirects hops on the first request's host and
// scheme, or from http to https, and refuses any other, so that no other
// host receives a signed request.
func StayOnHost(subject string) func(req *http.Request, via []*http.Request) error {
	keep := KeepCredentials(subject)
	return func(req *http.Request, via []*http.Request) error {
		if err := keep(req, via); err != nil {
			return err
		}
		if !SameHost(req.URL, via[0].URL) {
			return &RefusedError{Reason: fmt.Sprintf("the %s redirected to another host (%s): refused, since the request is signed with its credentials",
				subject, req.URL.Host)}
		}
		return nil
	}
}

// SameHost reports whether two addresses name the same host and port, in
// any case, a scheme's default port (80 for http, 443 for https) written
// or not: http://shop.example and https://shop.example:443 are the same
// host, as a redirect from one to the other (a shop forcing https) means.
func SameHost(a, b *url.URL) bool {
	return strings.EqualFold(hostPort(a), hostPort(b))
}

// hostPort is u's host, without its scheme's default port.
func hostPort(u *url.URL) string {
	if port := u.Port(); (port == "80" && u.Scheme == "http") || (port == "443" && u.Scheme == "https") {
		return strings.TrimSuffix(u.Host, ":"+port)
	}
	return u.Host
}
