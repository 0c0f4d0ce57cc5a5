package web

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes the JSON admin API (OpenAPI 3.1). A test walks
// the router's /api/v1 routes and checks each is in it, and only those.
//
//go:embed openapi/openapi.json
var openAPIDocument []byte

// serveOpenAPI serves the document; it holds no secret and needs no key.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDocument)
}
