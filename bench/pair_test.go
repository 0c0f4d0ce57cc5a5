package bench

import (
	"net/http"
	"testing"
)

// loadWorkers is the number of concurrent clients of the load generator,
// as in the hot-path targets.
const loadWorkers = 32

// target is one side of a comparison: a server started on a fresh
// database and the request number i it is sent.
type target func(b *testing.B) (newRequest func(i int) *http.Request)

// runPair measures baseline then subject, b.N requests each, in the same
// benchmark run, so that every run yields one interleaved pair under the
// same machine load. It reports the subject's rate and latencies, the
// baseline's, and their ratio (x-bare).
func runPair(b *testing.B, subject, baseline target) (subjectResult, baselineResult LoadResult) {
	b.StopTimer()
	baselineResult = runTarget(b, baseline)
	subjectResult = runTarget(b, subject)
	b.ReportMetric(subjectResult.PerSecond(), "req/s")
	reportLatency(b, "", subjectResult)
	b.ReportMetric(baselineResult.PerSecond(), "bare-req/s")
	reportLatency(b, "bare-", baselineResult)
	b.ReportMetric(subjectResult.PerSecond()/baselineResult.PerSecond(), "x-bare")
	return subjectResult, baselineResult
}

// runTarget starts the target and sends it b.N requests from loadWorkers
// clients, timing only the load.
func runTarget(b *testing.B, start target) LoadResult {
	newRequest := start(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadWorkers}}
	defer client.CloseIdleConnections()
	b.StartTimer()
	result := Load(client, loadWorkers, b.N, newRequest)
	b.StopTimer()
	if result.Errors > 0 {
		b.Fatalf("%d of %d requests failed", result.Errors, result.Requests)
	}
	return result
}

func reportLatency(b *testing.B, prefix string, r LoadResult) {
	b.ReportMetric(float64(r.Percentile(50).Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(r.Percentile(99).Microseconds())/1000, prefix+"p99-ms")
}
