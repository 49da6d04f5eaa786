package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary is the guard when this is set (so the tests run the real main).
func TestMain(m *testing.M) {
	if os.Getenv("PULUMI_GUARD_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func guard(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "PULUMI_GUARD_TEST_MAIN=1")
	return cmd
}

// alive: the process exists and is not a zombie.
func alive(pid int) bool {
	p, ok := readProc(pid)
	return ok && !p.zombie
}

// pidsIn waits (bounded) until file holds n pids, one a line.
func pidsIn(t *testing.T, file string, n int) []int {
	t.Helper()
	for i := 0; i < 100; i++ {
		b, _ := os.ReadFile(file)
		lines := strings.Fields(string(b))
		if len(lines) >= n {
			var pids []int
			for _, l := range lines[:n] {
				pid, err := strconv.Atoi(l)
				if err != nil {
					t.Fatalf("%s: %q", file, l)
				}
				pids = append(pids, pid)
			}
			return pids
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: fewer than %d pids after 5 s", file, n)
	return nil
}

func waitGone(t *testing.T, pids []int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("pid %d still running %v later", pid, within)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errorAs(err, &ee) {
		t.Fatal(err)
	}
	return status(ee.Sys().(syscall.WaitStatus))
}

func errorAs(err error, target **exec.ExitError) bool {
	ee, ok := err.(*exec.ExitError)
	if ok {
		*target = ee
	}
	return ok
}

func TestRunPassesTheExitStatusAndEndsNothingWhenNothingIsLeft(t *testing.T) {
	cmd := guard(t, "run", "sh", "-c", "exit 4")
	out, err := cmd.CombinedOutput()
	if got := exitCode(t, err); got != 4 {
		t.Fatalf("exit %d, want 4 (%s)", got, out)
	}
	if len(out) != 0 {
		t.Fatalf("unexpected output %q", out)
	}
}

func TestRunEndsWhatAKilledCLILeft(t *testing.T) {
	pids := filepath.Join(t.TempDir(), "pids")
	// A child in the CLI's group, one in a session of its own (as the engine starts plugins),
	// one whose parent is gone too; then the "CLI" is killed.
	script := `sleep 300 & echo $! >>"$1"
setsid sleep 300 & echo $! >>"$1"
sh -c 'sleep 300 & echo $! >>"$1"' sh "$1"
kill -KILL $$`
	cmd := guard(t, "run", "sh", "-c", script, "sh", pids)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	started := time.Now()
	err := cmd.Run()
	if got := exitCode(t, err); got != 128+9 {
		t.Fatalf("exit %d, want 137 (%s)", got, stderr.String())
	}
	left := pidsIn(t, pids, 3)
	waitGone(t, left, time.Second)
	if d := time.Since(started); d > 2*grace {
		t.Fatalf("took %v", d)
	}
	if !strings.Contains(stderr.String(), "ended 3 process(es) it left running") {
		t.Fatalf("stderr: %s", stderr.String())
	}
}

func TestRunForwardsSIGTERMOnceToTheCLI(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	// Counts the TERMs it gets; exits 0 after the first plus a moment for a second one.
	script := `n=0; trap 'n=$((n+1)); echo $n >"$1"' TERM; echo ready >"$1"; while [ "$n" = 0 ]; do sleep 0.05; done; sleep 0.5; exit 0`
	cmd := guard(t, "run", "sh", "-c", script, "sh", out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if b, _ := os.ReadFile(out); strings.TrimSpace(string(b)) == "ready" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// As a shell's `kill -TERM -PGID` would: our group, not the CLI's (it has its own).
	if err := syscall.Kill(cmd.Process.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if got := exitCode(t, cmd.Wait()); got != 0 {
		t.Fatalf("exit %d", got)
	}
	if b, _ := os.ReadFile(out); strings.TrimSpace(string(b)) != "1" {
		t.Fatalf("the CLI got %q SIGTERMs, want 1", b)
	}
}

func TestPluginPassesTheExitStatus(t *testing.T) {
	if got := exitCode(t, guard(t, "plugin", "sh", "-c", "exit 3").Run()); got != 3 {
		t.Fatalf("exit %d, want 3", got)
	}
}

func TestPluginEndsWhenTheEngineIsGone(t *testing.T) {
	pids := filepath.Join(t.TempDir(), "pids")
	self, _ := os.Executable()
	// The "engine" starts the guarded plugin, records both pids and dies without ending it.
	engine := exec.Command("sh", "-c", `"$1" plugin sh -c 'echo $$ >>"$1"; exec sleep 300' sh "$2" &
echo $! >>"$2"
while [ "$(wc -l <"$2")" -lt 2 ]; do sleep 0.05; done
kill -KILL $$`, "sh", self, pids)
	engine.Env = append(os.Environ(), "PULUMI_GUARD_TEST_MAIN=1")
	_ = engine.Run()
	left := pidsIn(t, pids, 2)
	waitGone(t, left, 5*watchInterval+grace)
}

func TestPluginIsEndedWithItsWrapper(t *testing.T) {
	pids := filepath.Join(t.TempDir(), "pids")
	cmd := guard(t, "plugin", "sh", "-c", `echo $$ >>"$1"; exec sleep 300`, "sh", pids)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child := pidsIn(t, pids, 1)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	waitGone(t, child, 2*time.Second)
}
