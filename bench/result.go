package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Result is what a run measured.
type Result struct {
	// Requests counts the requests sent and finished, Errors those among
	// them that got no answer (refused, reset, timed out) and Non2xx those
	// whose answer's status was not 2xx. Status counts answers by status.
	Requests int
	Errors   int
	Non2xx   int
	Status   map[int]int

	// LastError is the last transport error seen, if any.
	LastError error

	// Elapsed is the measured wall time, and RPS Requests divided by it.
	Elapsed time.Duration
	RPS     float64

	// Latency percentiles (nearest rank), maximum and mean over the
	// requests that got an answer.
	P50, P90, P99, Max, Mean time.Duration
}

// summarize merges the workers' samples into a Result.
func summarize(samples []*sample, elapsed time.Duration) *Result {
	res := &Result{Status: map[int]int{}, Elapsed: elapsed}
	var all []time.Duration
	for _, s := range samples {
		all = append(all, s.latencies...)
		res.Errors += s.errors
		if s.lastErr != nil {
			res.LastError = s.lastErr
		}
		for code, n := range s.status {
			res.Status[code] += n
			if code < 200 || code > 299 {
				res.Non2xx += n
			}
		}
	}
	res.Requests = len(all) + res.Errors

	// Throughput and latency.
	if elapsed > 0 {
		res.RPS = float64(res.Requests) / elapsed.Seconds()
	}
	slices.Sort(all)
	res.P50, res.P90, res.P99 = percentile(all, 50), percentile(all, 90), percentile(all, 99)
	if n := len(all); n > 0 {
		res.Max = all[n-1]
		var sum time.Duration
		for _, d := range all {
			sum += d
		}
		res.Mean = sum / time.Duration(n)
	}
	return res
}

// percentile returns the nearest-rank p-th percentile of sorted, or 0 for
// an empty slice.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// MarkdownHeader returns the header of the table MarkdownRow fills, two
// lines each ending in a newline.
func MarkdownHeader() string {
	return "| target | requests | errors | non-2xx | req/s | p50 | p90 | p99 | max |\n" +
		"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
}

// MarkdownRow returns r as one table row, ending in a newline, under the
// given target name.
func (r *Result) MarkdownRow(target string) string {
	cells := []string{
		strings.ReplaceAll(target, "|", `\|`),
		fmt.Sprint(r.Requests), fmt.Sprint(r.Errors), fmt.Sprint(r.Non2xx),
		fmt.Sprintf("%.0f", r.RPS),
		ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max),
	}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// ms formats d in milliseconds with microsecond precision.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}
