package bench

import (
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// LoadResult summarises one load run.
type LoadResult struct {
	Requests  int
	Errors    int
	Elapsed   time.Duration
	Latencies []time.Duration // sorted
}

// PerSecond is the completed request rate.
func (r LoadResult) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Percentile returns the p-th latency percentile (0 < p ≤ 100).
func (r LoadResult) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.Latencies))*p/100+0.5) - 1
	if i < 0 {
		i = 0
	} else if i >= len(r.Latencies) {
		i = len(r.Latencies) - 1
	}
	return r.Latencies[i]
}

// Load sends total requests from workers concurrent clients, each over
// its own kept-alive connection; newRequest builds request number i. A response outside 2xx counts as an error.
func Load(client *http.Client, workers, total int, newRequest func(i int) *http.Request) LoadResult {
	var next atomic.Int64
	var errs atomic.Int64
	latencies := make([]time.Duration, total)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				t0 := time.Now()
				resp, err := client.Do(newRequest(i))
				if err != nil || resp.StatusCode/100 != 2 {
					errs.Add(1)
				}
				if resp != nil {
					// Read to the end, so that the connection is kept for
					// the next request: a body closed unread closes it.
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				latencies[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	return LoadResult{Requests: total, Errors: int(errs.Load()), Elapsed: elapsed, Latencies: latencies}
}
