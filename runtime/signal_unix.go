//go:build unix

package runtime

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

// reraise delivers sig to this process again with its default action, so
// the process ends with the status the monolith would have had. Should
// the signal not end the process (something else in it handles or
// ignores it), it exits with the shell's status for a death by sig.
func reraise(sig os.Signal) {
	s, ok := sig.(syscall.Signal)
	if !ok {
		os.Exit(1)
	}
	signal.Reset(s)
	syscall.Kill(os.Getpid(), s)
	time.Sleep(time.Second) // the default action ends the process before this returns
	os.Exit(128 + int(s))
}
