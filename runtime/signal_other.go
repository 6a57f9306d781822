//go:build !unix

package runtime

import "os"

// reraise ends the process; without Unix signals the status cannot match
// a signal's, so it is the conventional one for an interrupt.
func reraise(sig os.Signal) {
	os.Exit(130)
}
