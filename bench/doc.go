// Package bench is a closed-loop HTTP load generator for services running
// on this machine.
//
// Run keeps Config.Concurrency requests in flight over keep-alive
// connections, each worker sending its next request as soon as the last
// one answers, until Config.Duration has passed or Config.MaxRequests
// requests were sent, whichever comes first. It reports throughput,
// latency percentiles, transport errors and answers by status.
//
// Run only talks to loopback addresses: it refuses a base URL whose host is
// not localhost, 127.0.0.0/8 or ::1, and its dialer refuses any connection
// to an address outside them, so a benchmark cannot be aimed elsewhere by
// mistake. Redirects are reported, never followed.
//
// Requests come from a list (for example a trace read with verify.ReadTrace and TraceRequests,
// replayed round-robin) or from a generator; TodoWorkload is the mix used
// to benchmark the todo test app.
package bench
