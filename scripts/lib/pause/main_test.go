package main

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// exitedChild starts /bin/true without waiting for it and returns its pid once it is a zombie.
func exitedChild(t *testing.T) int {
	t.Helper()
	pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatalf("fork/exec /bin/true: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for state(pid) != "Z" {
		if time.Now().After(deadline) {
			t.Fatalf("child %d did not exit within 10s (state %q)", pid, state(pid))
		}
		time.Sleep(10 * time.Millisecond)
	}
	return pid
}

// state is the process state letter of pid from /proc, or "" when there is no such process.
func state(pid int) string {
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// One SIGCHLD may stand for several exits: a single reap collects every exited child.
func TestReapCollectsEveryExitedChild(t *testing.T) {
	pids := []int{exitedChild(t), exitedChild(t), exitedChild(t)}
	reap()
	for _, pid := range pids {
		if s := state(pid); s != "" {
			t.Errorf("child %d is still there (state %s) after reap", pid, s)
		}
	}
}

// With no child left, reap returns at once instead of waiting for one.
func TestReapDoesNotBlockWithoutChildren(t *testing.T) {
	done := make(chan struct{})
	go func() { reap(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("reap blocked with no exited child")
	}
}

// A child still running is left alone; it is collected once it has exited.
func TestReapLeavesRunningChildren(t *testing.T) {
	pid, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "30"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatalf("fork/exec /bin/sleep: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		_, _ = syscall.Wait4(pid, &ws, 0, nil)
	})
	reap()
	if s := state(pid); s == "" || s == "Z" {
		t.Fatalf("running child %d was disturbed by reap (state %q)", pid, s)
	}
}
