// pause is the sandbox ("infra") container of every pod on the local real node: it holds the
// pod's namespaces open, does nothing else, and exits when the runtime asks it to stop.
//
// As PID 1 of the pod's PID namespace (when the namespace is shared) it must also reap the
// zombies that orphaned processes leave behind, or they pile up until the pod is deleted.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "-v" || os.Args[1] == "--version") {
		fmt.Println("notebook-platform pause 1")
		return
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for sig := range signals {
		if sig == syscall.SIGCHLD {
			reap()
			continue
		}
		// The runtime stopping the sandbox is the normal end of its life, not an error.
		fmt.Fprintf(os.Stderr, "pause: %s, exiting\n", sig)
		os.Exit(0)
	}
}

// reap collects every exited child without blocking; one SIGCHLD may stand for several exits.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
