package netguard

import (
	"fmt"
	"net/http"
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
