package bench

import (
	"net/http"
	"testing"
	"time"
)

// loadWorkers is the number of concurrent clients of the load generator,
// as in the hot-path targets.
const loadWorkers = 32

// target is one side of a comparison: it starts a server on a fresh
// database.
type target func(b *testing.B) arm

// arm is a started target: the request number i it is sent and, on
// PostgreSQL, its database's name (the server's CPU time serving it is
// then reported per request).
type arm struct {
	newRequest func(i int) *http.Request
	pgDatabase string
}

// runPair measures baseline then subject, b.N requests each, in the same
// benchmark run, so that every run yields one interleaved pair under the
// same machine load. It reports the subject's rate and latencies, the
// baseline's, and their ratio (x-bare).
func runPair(b *testing.B, subject, baseline target) (subjectResult, baselineResult measured) {
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

// measured is a load run with the process's CPU time and, on PostgreSQL,
// the database server's.
type measured struct {
	LoadResult
	cpu   time.Duration
	pgCPU time.Duration
}

// runTarget starts the target and sends it b.N requests from loadWorkers
// clients, timing only the load.
func runTarget(b *testing.B, start target) measured {
	a := start(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadWorkers}}
	defer client.CloseIdleConnections()
	var cpuBefore time.Duration
	if a.pgDatabase != "" {
		cpuBefore = pgCPU(b, a.pgDatabase)
	}
	cpuStart := processCPU()
	b.StartTimer()
	result := Load(client, loadWorkers, b.N, a.newRequest)
	b.StopTimer()
	cpu := processCPU() - cpuStart
	if result.Errors > 0 {
		b.Fatalf("%d of %d requests failed", result.Errors, result.Requests)
	}
	m := measured{LoadResult: result, cpu: cpu}
	if a.pgDatabase != "" {
		m.pgCPU = pgCPU(b, a.pgDatabase) - cpuBefore
	}
	return m
}

func reportLatency(b *testing.B, prefix string, r measured) {
	b.ReportMetric(float64(r.Percentile(50).Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(r.Percentile(99).Microseconds())/1000, prefix+"p99-ms")
	b.ReportMetric(float64(r.cpu.Microseconds())/1000/float64(r.Requests), prefix+"cpu-ms/req")
	if r.pgCPU > 0 {
		b.ReportMetric(float64(r.pgCPU.Microseconds())/1000/float64(r.Requests), prefix+"pg-cpu-ms/req")
	}
}
