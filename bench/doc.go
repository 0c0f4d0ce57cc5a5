// Package bench holds whole-server load benchmarks. They start real
// components on loopback, drive them with a load generator in the same
// process and report throughput and latency percentiles beside a baseline
// measured in the same run. Results and method are in docs/BENCHMARKS.md.
package bench
