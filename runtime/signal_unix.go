//go:build unix

package runtime

import (
	"os"
	"os/signal"
	"syscall"
)

// reraise delivers sig to this process again with its default action, so
// the process ends with the status the monolith would have had.
func reraise(sig os.Signal) {
	s, ok := sig.(syscall.Signal)
	if !ok {
		os.Exit(1)
	}
	signal.Reset(s)
	syscall.Kill(os.Getpid(), s)
	select {} // the default action ends the process
}
