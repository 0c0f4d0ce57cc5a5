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
// then reported per request). An arm whose requests leave work to process
// after they are answered sets processedAll; the run then also times the
// load and the processing together (reportDone).
type arm struct {
	newRequest   func(i int) *http.Request
	pgDatabase   string
	processedAll func() bool
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
	reportDone(b, subjectResult, baselineResult)
	return subjectResult, baselineResult
}

// measured is a load run with the process's CPU time and, on PostgreSQL,
// the database server's. For an arm with processing, done is the time
// from the load's start until everything it accepted was processed, and
// doneCPU the process's CPU time over that.
type measured struct {
	LoadResult
	cpu   time.Duration
	pgCPU time.Duration

	done, doneCPU time.Duration
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
	loadEnd := time.Now()
	cpu := processCPU() - cpuStart
	if result.Errors > 0 {
		b.Fatalf("%d of %d requests failed", result.Errors, result.Requests)
	}
	m := measured{LoadResult: result, cpu: cpu}
	if a.pgDatabase != "" {
		m.pgCPU = pgCPU(b, a.pgDatabase) - cpuBefore
	}
	if a.processedAll != nil {
		waitFor(b, 5*time.Minute, "processing what the load accepted", a.processedAll)
		m.done, m.doneCPU = result.Elapsed+time.Since(loadEnd), processCPU()-cpuStart
	}
	return m
}

// reportDone reports, for arms with processing, the requests accepted and
// processed per second of the time to accept and process them all
// (done/s), the process's CPU time per request over that time, and the
// subject's rate over the baseline's (x-done). PostgreSQL's CPU time is
// not reported over that time: it is read from the backends alive at the
// end, and a pool closes the connections it opened beyond its idle
// limit as the load ends, taking their backends' time with them.
func reportDone(b *testing.B, subject, baseline measured) {
	if subject.done == 0 || baseline.done == 0 {
		return
	}
	perSecond := func(m measured) float64 { return float64(m.Requests) / m.done.Seconds() }
	perRequest := func(d time.Duration, m measured) float64 {
		return float64(d.Microseconds()) / 1000 / float64(m.Requests)
	}
	for prefix, m := range map[string]measured{"": subject, "bare-": baseline} {
		b.ReportMetric(perSecond(m), prefix+"done/s")
		b.ReportMetric(perRequest(m.doneCPU, m), prefix+"done-cpu-ms/req")
	}
	b.ReportMetric(perSecond(subject)/perSecond(baseline), "x-done")
}

func reportLatency(b *testing.B, prefix string, r measured) {
	b.ReportMetric(float64(r.Percentile(50).Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(r.Percentile(99).Microseconds())/1000, prefix+"p99-ms")
	b.ReportMetric(float64(r.cpu.Microseconds())/1000/float64(r.Requests), prefix+"cpu-ms/req")
	if r.pgCPU > 0 {
		b.ReportMetric(float64(r.pgCPU.Microseconds())/1000/float64(r.Requests), prefix+"pg-cpu-ms/req")
	}
}
