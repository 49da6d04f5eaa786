// pulumi-guard: no Pulumi plugin outlives the CLI that started it.
//
//	pulumi-guard run PROGRAM [ARGS...]     run the CLI (scripts/demo and scripts/ci-steps do);
//	                                       when it exits, for any reason, end every process it
//	                                       left behind, then exit with its status
//	pulumi-guard plugin PROGRAM [ARGS...]  run a plugin (the toolchain's provider wrappers); end
//	                                       it when the engine that started it is gone
//
// Why: the engine starts each plugin in a process group of its own and ends them when it exits
// normally, but a CLI killed with SIGKILL ends nothing, and its plugins go on serving (measured:
// the language host and the kubernetes provider were left running).
//
// `run` makes itself a child subreaper, so whatever the CLI started is re-parented to it when
// the CLI dies, finds those processes in /proc and ends them (SIGTERM, SIGKILL after a grace
// period). `plugin` polls its parent: the engine's death re-parents it.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

const (
	// How often a plugin checks that the engine is still its parent.
	watchInterval = 200 * time.Millisecond
	// How long leftovers get between SIGTERM and SIGKILL.
	grace = 5 * time.Second
	// prctl(2) option: orphaned descendants are re-parented to this process, not to init.
	prSetChildSubreaper = 36
)

func main() {
	if len(os.Args) < 3 || (os.Args[1] != "run" && os.Args[1] != "plugin") {
		fmt.Fprintln(os.Stderr, "usage: pulumi-guard run|plugin PROGRAM [ARGS...]")
		os.Exit(2)
	}
	if os.Args[1] == "run" {
		os.Exit(run(os.Args[2:]))
	}
	os.Exit(plugin(os.Args[2:]))
}

// status is the exit status a shell would report for a finished process.
func status(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

func lookPath(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("pulumi-guard: %s: %w", name, err)
	}
	return p, nil
}

// ---- run --------------------------------------------------------------------------------

func run(argv []string) int {
	path, err := lookPath(argv[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		fmt.Fprintf(os.Stderr, "pulumi-guard: cannot become a child subreaper (%v): leftovers re-parented to init are not ended\n", errno)
	}
	// Pdeathsig follows the thread that started the child: keep this goroutine on it.
	runtime.LockOSThread()
	// The CLI gets a process group of its own, so a signal meant for it reaches it once (pulumi
	// cancels on the first SIGINT or SIGTERM and stops at once on the second). If our group owns
	// the terminal, its group gets the terminal (Ctrl-C goes straight to it) and we take it back.
	// If we are killed, the CLI gets SIGTERM: it cancels the update and releases its lock.
	sys := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	terminal, owned := foregroundGroup()
	if owned {
		sys.Foreground, sys.Ctty = true, 0
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	proc, err := os.StartProcess(path, argv, &os.ProcAttr{Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}, Sys: sys})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-guard: %v\n", err)
		return 127
	}
	pid := proc.Pid
	go func() {
		for s := range signals {
			_ = syscall.Kill(pid, s.(syscall.Signal))
		}
	}()

	// Reap everything (orphans come to us) until the CLI itself exits.
	var ws syscall.WaitStatus
	for {
		got, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "pulumi-guard: wait: %v\n", err)
			return 1
		}
		if got == pid {
			break
		}
	}
	if owned {
		giveBackTerminal(terminal)
	}
	if ended := endLeftovers(); len(ended) > 0 {
		fmt.Fprintf(os.Stderr, "pulumi-guard: %s exited (status %d); ended %d process(es) it left running: %s\n",
			filepath.Base(path), status(ws), len(ended), strings.Join(ended, ", "))
	}
	return status(ws)
}

// foregroundGroup returns the terminal's foreground process group on stdin, and whether that is
// our own group (only then may we hand the terminal to the CLI).
func foregroundGroup() (int, bool) {
	var pgrp int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, 0, syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgrp))); errno != 0 {
		return 0, false
	}
	return int(pgrp), int(pgrp) == syscall.Getpgrp()
}

func giveBackTerminal(pgrp int) {
	// We are a background group now: changing the foreground would stop us with SIGTTOU.
	signal.Ignore(syscall.SIGTTOU)
	p := int32(pgrp)
	_, _, _ = syscall.Syscall(syscall.SYS_IOCTL, 0, syscall.TIOCSPGRP, uintptr(unsafe.Pointer(&p)))
}

type proc struct {
	pid, ppid, pgid int
	name            string
	zombie          bool
}

// readProc parses /proc/PID/stat (the name may hold spaces and parentheses: cut at the last ')').
func readProc(pid int) (proc, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return proc{}, false
	}
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return proc{}, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 3 {
		return proc{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	pgid, _ := strconv.Atoi(f[2])
	return proc{pid: pid, ppid: ppid, pgid: pgid, name: s[open+1 : end], zombie: f[0] == "Z"}, true
}

func childrenOf(parent int) []proc {
	entries, _ := os.ReadDir("/proc")
	var kids []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok && p.ppid == parent && !p.zombie {
			kids = append(kids, p)
		}
	}
	return kids
}

func reap() {
	for i := 0; i < 1000; i++ {
		var ws syscall.WaitStatus
		if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
			return
		}
	}
}

// endLeftovers ends what the CLI left: every process re-parented to us, with the process group
// it leads (a plugin and what the plugin started). Their children come to us in turn.
func endLeftovers() []string {
	self := os.Getpid()
	var ended []string
	signalled := map[int]syscall.Signal{}
	deadline := time.Now().Add(grace)
	for i := 0; i < int(2*grace/(50*time.Millisecond)); i++ {
		reap()
		kids := childrenOf(self)
		if len(kids) == 0 {
			return ended
		}
		sig := syscall.SIGTERM
		if time.Now().After(deadline) {
			sig = syscall.SIGKILL
		}
		for _, k := range kids {
			if prev, seen := signalled[k.pid]; seen && prev == sig {
				continue
			}
			if _, seen := signalled[k.pid]; !seen {
				ended = append(ended, fmt.Sprintf("%d %s", k.pid, k.name))
			}
			signalled[k.pid] = sig
			if k.pgid == k.pid {
				_ = syscall.Kill(-k.pid, sig)
			}
			_ = syscall.Kill(k.pid, sig)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return append(ended, "(some still running after SIGKILL)")
}

// ---- plugin -----------------------------------------------------------------------------

func plugin(argv []string) int {
	parent := os.Getppid()
	path, err := lookPath(argv[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	runtime.LockOSThread()
	cmd := exec.Command(path, argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// If this wrapper is killed, so is the plugin.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	signals := make(chan os.Signal, 8)
	// The engine sends SIGINT to the plugin's whole process group, the plugin included: not
	// forwarded (it would get it twice). A SIGTERM or SIGHUP for this pid is passed on.
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-guard: %v\n", err)
		return 127
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	for {
		select {
		case <-exited:
			return status(cmd.ProcessState.Sys().(syscall.WaitStatus))
		case s := <-signals:
			if s != syscall.SIGINT {
				_ = cmd.Process.Signal(s)
			}
		case <-tick.C:
			if os.Getppid() == parent {
				continue
			}
			fmt.Fprintf(os.Stderr, "pulumi-guard: the engine (pid %d) is gone: ending %s\n", parent, filepath.Base(path))
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(grace):
				_ = cmd.Process.Kill()
				<-exited
			}
			// Anything else the plugin started in its (our) process group.
			if pgid := syscall.Getpgrp(); pgid == os.Getpid() {
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			}
			return 1
		}
	}
}
