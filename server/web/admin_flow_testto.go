package web

import (
	"net/http"
	"strings"
)

// testToCookie holds the test address typed in the flow form across the
// redirect after a save.
var testToCookie = onceCookie{name: "stockbell_flow_test_to", path: "/admin/flow"}

const valueTestTo = "test_to"

// keepTestAddress keeps the test address typed with a saved form for the
// page the save redirects to.
func (a *Admin) keepTestAddress(w http.ResponseWriter, r *http.Request, s *AdminSession, to string) error {
	return a.keepOnce(w, r, s, testToCookie, map[string]string{valueTestTo: strings.TrimSpace(to)})
}

// takeTestAddress reads, once, the test address kept for the session's
// shop by the save this page follows. ok is false when there is none (no
// save, another shop's, expired, tampered with).
func (a *Admin) takeTestAddress(w http.ResponseWriter, r *http.Request, s *AdminSession) (to string, ok bool) {
	values, ok := a.takeOnce(w, r, s, testToCookie)
	to, kept := values[valueTestTo]
	return to, ok && kept
}
