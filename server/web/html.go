package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
)

// WriteHTML renders the template with data and writes the page with the
// status. It is the one HTML writer of every route: the page is rendered in
// full before anything is written, so a template error answers a plain 500
// instead of half a page (and is returned, for the caller to log).
func WriteHTML(w http.ResponseWriter, status int, page *template.Template, data any) error {
	var b bytes.Buffer
	if err := page.Execute(&b, data); err != nil {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return fmt.Errorf("web: render %s: %w", page.Name(), err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}
