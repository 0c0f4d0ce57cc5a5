package magento_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	stockbell "github.com/stockbell/stockbell"
	"github.com/stockbell/stockbell/integrations/magento"
	"github.com/stockbell/stockbell/integrations/magento/magentotest"
)

// storeFront plays what stands in front of a Magento store (a load
// balancer, a CDN, a rate limiter): it answers a token path with its
// planned answers first, in order, then hands requests on to the store.
// Its address is reserved before it listens, so that a test can start it
// late: until then a connection to it is refused.
type storeFront struct {
	addr   string
	store  *httputil.ReverseProxy
	server *httptest.Server

	mu      sync.Mutex
	planned map[string][]http.HandlerFunc
	hits    map[string]int
}

func newStoreFront(t *testing.T, f *magentotest.Fake) *storeFront {
	t.Helper()
	reserved, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	storeURL, _ := url.Parse(f.URL())
	front := &storeFront{addr: reserved.Addr().String(), store: httputil.NewSingleHostReverseProxy(storeURL),
		planned: map[string][]http.HandlerFunc{}, hits: map[string]int{}}
	reserved.Close()
	t.Cleanup(func() {
		if front.server != nil {
			front.server.Close()
		}
	})
	return front
}

// listen starts answering at the reserved address.
func (s *storeFront) listen(t *testing.T) {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatalf("the front's address was taken meanwhile: %v", err)
	}
	s.server = httptest.NewUnstartedServer(s)
	s.server.Listener.Close()
	s.server.Listener = ln
	s.server.Start()
}

func (s *storeFront) URL() string { return "http://" + s.addr }

func (s *storeFront) plan(path string, answers ...http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.planned[path] = append(s.planned[path], answers...)
}

func (s *storeFront) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *storeFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	answer := http.HandlerFunc(s.store.ServeHTTP)
	if planned := s.planned[r.URL.Path]; len(planned) > 0 {
		answer, s.planned[r.URL.Path] = planned[0], planned[1:]
	}
	s.mu.Unlock()
	answer(w, r)
}

// busy answers status, with a Retry-After unless it is empty.
func busy(status int, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		w.Write([]byte("busy"))
	}
}

// lostAfterTheStore hands the request to the store, which processes it,
// and drops the connection instead of answering, as a proxy timing out
// on a slow store does.
func (s *storeFront) lostAfterTheStore(w http.ResponseWriter, r *http.Request) {
	s.store.ServeHTTP(httptest.NewRecorder(), r)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// TestExchangeRetriesOnlyWhatTheStoreCannotHaveProcessed: Magento's token
// requests are single-use (the request token turns the integration's
// verifier token into a request token, the access token turns that into
// the access token, and either asked again is refused), so a token request
// is sent again only when the store cannot have processed it: the
// connection was refused, or the store's front answered 429 or 503 with a
// Retry-After. Magento answers 503 without one from its error report, after
// the request may have been processed; and an answer lost after the store
// had the request is not asked again. The waits stay within what fits in
// Magento's post of the activation (5 s by default), and the tries within
// four.
func TestExchangeRetriesOnlyWhatTheStoreCannotHaveProcessed(t *testing.T) {
	const request, access = magento.RequestTokenPath, magento.AccessTokenPath
	for _, c := range []struct {
		name    string
		late    bool // the front listens only from the first wait on…
		never   bool // …or never
		plan    func(front *storeFront)
		waits   []time.Duration
		hits    [2]int // of the request and the access token paths
		failure string
	}{
		{name: "connection refused at first", late: true, plan: func(*storeFront) {},
			waits: []time.Duration{500 * time.Millisecond}, hits: [2]int{1, 1}},
		{name: "connection refused throughout", late: true, never: true, plan: func(*storeFront) {},
			waits: []time.Duration{500 * time.Millisecond, 2 * time.Second}, failure: stockbell.EUPSTREAM},
		{name: "503 with Retry-After on the request token", plan: func(s *storeFront) {
			s.plan(request, busy(http.StatusServiceUnavailable, "1"))
		}, waits: []time.Duration{time.Second}, hits: [2]int{2, 1}},
		{name: "429 with Retry-After on the access token", plan: func(s *storeFront) {
			s.plan(access, busy(http.StatusTooManyRequests, "2"))
		}, waits: []time.Duration{2 * time.Second}, hits: [2]int{1, 2}},
		{name: "503 without Retry-After (Magento's error report)", plan: func(s *storeFront) {
			s.plan(access, busy(http.StatusServiceUnavailable, ""))
		}, hits: [2]int{1, 1}, failure: stockbell.EUNAUTHORIZED},
		{name: "500 with Retry-After", plan: func(s *storeFront) {
			s.plan(access, busy(http.StatusInternalServerError, "1"))
		}, hits: [2]int{1, 1}, failure: stockbell.EUNAUTHORIZED},
		{name: "an answer lost after the store had the request", plan: func(s *storeFront) {
			s.plan(access, s.lostAfterTheStore)
		}, hits: [2]int{1, 1}, failure: stockbell.EUPSTREAM},
		{name: "a wait past the activation's post", plan: func(s *storeFront) {
			s.plan(request, busy(http.StatusServiceUnavailable, "30"))
		}, hits: [2]int{1, 0}, failure: stockbell.EUNAUTHORIZED},
		{name: "waits add up over both steps", plan: func(s *storeFront) {
			s.plan(request, busy(http.StatusServiceUnavailable, "2"))
			s.plan(access, busy(http.StatusServiceUnavailable, "2"))
		}, waits: []time.Duration{2 * time.Second}, hits: [2]int{2, 1}, failure: stockbell.EUNAUTHORIZED},
		{name: "at most four tries", plan: func(s *storeFront) {
			for range 5 {
				s.plan(request, busy(http.StatusTooManyRequests, "0"))
			}
		}, waits: []time.Duration{0, 0, 0}, hits: [2]int{4, 0}, failure: stockbell.EUNAUTHORIZED},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := magentotest.New()
			defer f.Close()
			front := newStoreFront(t, f)
			c.plan(front)
			if !c.late {
				front.listen(t)
			}
			var waits []time.Duration
			client := magento.NewClient(true)
			client.Sleep = func(_ context.Context, d time.Duration) error {
				if front.server == nil && !c.never {
					front.listen(t)
				}
				waits = append(waits, d)
				return nil
			}
			cred := credentialsOf(f)
			cred.BaseURL = front.URL()
			got, err := client.Exchange(context.Background(), cred, f.Verifier)
			if c.failure == "" && (err != nil || got.Token == "" || !f.AccessGranted()) {
				t.Fatalf("exchange: %+v, %v", got, err)
			}
			if c.failure != "" && stockbell.ErrorCode(err) != c.failure {
				t.Fatalf("exchange: %v, want %s", err, c.failure)
			}
			if !slices.Equal(waits, c.waits) {
				t.Errorf("waits %v, want %v", waits, c.waits)
			}
			if hits := [2]int{front.hitsOf(request), front.hitsOf(access)}; hits != c.hits {
				t.Errorf("token requests %v, want %v", hits, c.hits)
			}
		})
	}
}

// TestExchangeWithARefusedAddressIsNotRetried: in production the guard's
// refusal of a loopback store would come again: the exchange is not tried
// again.
func TestExchangeWithARefusedAddressIsNotRetried(t *testing.T) {
	f := magentotest.New()
	defer f.Close()
	var waits []time.Duration
	client := magento.NewClient(false)
	client.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	_, err := client.Exchange(context.Background(), credentialsOf(f), f.Verifier)
	if stockbell.ErrorCode(err) != stockbell.EUPSTREAM || len(waits) != 0 {
		t.Fatalf("a loopback store in production: %v, after waits %v", err, waits)
	}
}

// TestExchangeWaitEndsWithTheActivation: a wait before trying again ends
// with the activation's context (Magento gave up on its post).
func TestExchangeWaitEndsWithTheActivation(t *testing.T) {
	f := magentotest.New()
	defer f.Close()
	front := newStoreFront(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	client := magento.NewClient(true)
	client.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	cred := credentialsOf(f)
	cred.BaseURL = front.URL()
	if _, err := client.Exchange(ctx, cred, f.Verifier); err == nil || f.AccessGranted() {
		t.Fatalf("an exchange whose activation ended: %v", err)
	}
}
