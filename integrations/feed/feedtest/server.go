package feedtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a loopback feed host. Each path serves a Feed; requests are
// counted and the last one's headers kept.
type Server struct {
	server *httptest.Server
	mu     sync.Mutex
	feeds  map[string]*Feed
	// Requests counts requests per path; NotModified the 304 answers.
	Requests    map[string]int
	NotModified map[string]int
	// LastHeader is the last request's header per path.
	LastHeader map[string]http.Header
}

// Feed is what the server answers at one path.
type Feed struct {
	// Body is the document; File, when set, is served instead (read from
	// disk, never held in memory).
	Body        []byte
	File        string
	ContentType string
	// Status, when set, is answered instead of the document.
	Status int
	// ModifiedAt is sent as Last-Modified; the ETag is the body's hash.
	// NoValidators sends neither.
	ModifiedAt   time.Time
	NoValidators bool
	// Username/Password require basic auth; Header/Value require a header.
	Username, Password string
	Header, Value      string
	// RedirectTo answers 302 to that URL.
	RedirectTo string
	// CutAt sends only that many bytes of the body while declaring its
	// full length (a transfer broken off).
	CutAt int
	etag  string
}

// NewServer starts a feed host on a loopback port.
func NewServer() *Server {
	s := &Server{feeds: map[string]*Feed{}, Requests: map[string]int{}, NotModified: map[string]int{}, LastHeader: map[string]http.Header{}}
	s.server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the server.
func (s *Server) Close() { s.server.Close() }

// URL returns the absolute URL of a path.
func (s *Server) URL(path string) string { return s.server.URL + path }

// Set serves f at path, replacing what was there.
func (s *Server) Set(path string, f Feed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.ContentType == "" && f.File == "" {
		f.ContentType = "application/json"
	}
	if f.ModifiedAt.IsZero() {
		f.ModifiedAt = time.Now().UTC().Truncate(time.Second)
	}
	f.etag = etagOf(f)
	s.feeds[path] = &f
}

// Hits returns the number of requests to path.
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Requests[path]
}

// Header returns the last request's header at path.
func (s *Server) Header(path string) http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.LastHeader[path]
}

func etagOf(f Feed) string {
	h := sha256.New()
	if f.File != "" {
		if file, err := os.Open(f.File); err == nil {
			io.Copy(h, file)
			file.Close()
		}
	}
	h.Write(f.Body)
	return `"` + hex.EncodeToString(h.Sum(nil)[:8]) + `"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.Requests[r.URL.Path]++
	s.LastHeader[r.URL.Path] = r.Header.Clone()
	f, ok := s.feeds[r.URL.Path]
	s.mu.Unlock()
	switch {
	case !ok:
		http.NotFound(w, r)
	case f.RedirectTo != "":
		http.Redirect(w, r, f.RedirectTo, http.StatusFound)
	case !f.authorized(r):
		w.Header().Set("WWW-Authenticate", `Basic realm="feed"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	case f.Status != 0:
		http.Error(w, http.StatusText(f.Status), f.Status)
	case !f.NoValidators && f.notModified(r):
		s.mu.Lock()
		s.NotModified[r.URL.Path]++
		s.mu.Unlock()
		w.Header().Set("ETag", f.etag)
		w.WriteHeader(http.StatusNotModified)
	default:
		f.write(w)
	}
}

func (f *Feed) authorized(r *http.Request) bool {
	if f.Username != "" {
		user, pass, ok := r.BasicAuth()
		return ok && subtle.ConstantTimeCompare([]byte(user), []byte(f.Username)) == 1 &&
			subtle.ConstantTimeCompare([]byte(pass), []byte(f.Password)) == 1
	}
	if f.Header != "" {
		return subtle.ConstantTimeCompare([]byte(r.Header.Get(f.Header)), []byte(f.Value)) == 1
	}
	return true
}

// notModified applies If-None-Match, then If-Modified-Since, as RFC 9110 says.
func (f *Feed) notModified(r *http.Request) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			if strings.TrimSpace(tag) == f.etag {
				return true
			}
		}
		return false
	}
	since, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !f.ModifiedAt.After(since)
}

func (f *Feed) write(w http.ResponseWriter) {
	if f.ContentType != "" {
		w.Header().Set("Content-Type", f.ContentType)
	}
	if !f.NoValidators {
		w.Header().Set("ETag", f.etag)
		w.Header().Set("Last-Modified", f.ModifiedAt.Format(http.TimeFormat))
	}
	if f.File != "" {
		file, err := os.Open(f.File)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer file.Close()
		if info, err := file.Stat(); err == nil {
			w.Header().Set("Content-Length", strconv.FormatInt(info.Size(), 10))
		}
		io.Copy(w, file)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
	if f.CutAt > 0 && f.CutAt < len(f.Body) {
		w.Write(f.Body[:f.CutAt])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // closes the connection mid-body

	}
	w.Write(f.Body)
}

// String describes the server for test logs.
func (s *Server) String() string { return fmt.Sprintf("feed host at %s", s.server.URL) }
