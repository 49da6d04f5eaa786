package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// writeFile creates path (and its parents) with content.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(b))
}

func programInfo(t *testing.T, dir string, options map[string]any) *pulumirpc.ProgramInfo {
	t.Helper()
	info := &pulumirpc.ProgramInfo{ProgramDirectory: dir, RootDirectory: dir, EntryPoint: "."}
	if options != nil {
		s, err := structpb.NewStruct(options)
		if err != nil {
			t.Fatal(err)
		}
		info.Options = s
	}
	return info
}

// fakeNode puts a `node` on PATH that records its working directory, arguments and the
// PULUMI_* variables of its environment in dir/record, prints a line on stdout and one on
// stderr, and exits with the status in dir/exit (0 when the file is missing).
func fakeNode(t *testing.T) (record string, exitFile string) {
	t.Helper()
	bin := t.TempDir()
	record = filepath.Join(bin, "record")
	exitFile = filepath.Join(bin, "exit")
	script := "#!/bin/sh\n" +
		"{ echo \"cwd=$(pwd)\"; for a in \"$@\"; do echo \"arg=$a\"; done; env | grep '^PULUMI_' | sort; } >" + record + "\n" +
		"echo out-line\n" +
		"echo err-line >&2\n" +
		"code=0; [ -f " + exitFile + " ] && code=$(cat " + exitFile + ")\n" +
		"exit $code\n"
	writeFile(t, filepath.Join(bin, "node"), script)
	if err := os.Chmod(filepath.Join(bin, "node"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH", "")
	return record, exitFile
}

type recorded struct {
	cwd  string
	args []string
	env  map[string]string
}

func readRecord(t *testing.T, path string) recorded {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("node was not started: %v", err)
	}
	r := recorded{env: map[string]string{}}
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "cwd="):
			r.cwd = strings.TrimPrefix(line, "cwd=")
		case strings.HasPrefix(line, "arg="):
			r.args = append(r.args, strings.TrimPrefix(line, "arg="))
		default:
			k, v, _ := strings.Cut(line, "=")
			r.env[k] = v
		}
	}
	return r
}

// sdkProject lays out a program directory below a package whose node_modules holds the
// @pulumi/pulumi scripts, as npm installs them; it returns the package and program directories.
func sdkProject(t *testing.T) (pkgDir, programDir string) {
	t.Helper()
	pkgDir = t.TempDir()
	for _, script := range []string{"run", "run-plugin", "run-policy-pack"} {
		writeFile(t, filepath.Join(pkgDir, "node_modules", "@pulumi", "pulumi", "cmd", script, "index.js"), "")
	}
	programDir = filepath.Join(pkgDir, "stacks")
	if err := os.MkdirAll(programDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return pkgDir, programDir
}

func TestOptionsOfDefaultsToTypeScriptWithoutOptions(t *testing.T) {
	for name, info := range map[string]*pulumirpc.ProgramInfo{
		"no info":    nil,
		"no options": {ProgramDirectory: "/p"},
	} {
		got := optionsOf(info)
		if !got.typescript || got.tsconfig != "" || got.nodeargs != nil {
			t.Errorf("%s: optionsOf = %+v, want typescript only", name, got)
		}
	}
}

func TestOptionsOfReadsTheProjectsRuntimeOptions(t *testing.T) {
	got := optionsOf(programInfo(t, "/p", map[string]any{
		"typescript": false,
		"tsconfig":   "tsconfig.build.json",
		"nodeargs":   "  --max-old-space-size=4096   --enable-source-maps ",
	}))
	want := runtimeOptions{
		typescript: false,
		tsconfig:   "tsconfig.build.json",
		nodeargs:   []string{"--max-old-space-size=4096", "--enable-source-maps"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("optionsOf = %+v, want %+v", got, want)
	}
	// Blank node arguments and values of the wrong type leave the defaults.
	got = optionsOf(programInfo(t, "/p", map[string]any{"typescript": "no", "nodeargs": "   "}))
	if !got.typescript || got.nodeargs != nil {
		t.Errorf("optionsOf(wrong types) = %+v, want the defaults", got)
	}
}

func TestTsEnv(t *testing.T) {
	if got, want := tsEnv(runtimeOptions{typescript: true}), []string{"PULUMI_NODEJS_TYPESCRIPT=true"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tsEnv = %q, want %q", got, want)
	}
	got := tsEnv(runtimeOptions{typescript: false, tsconfig: "x/tsconfig.json"})
	want := []string{"PULUMI_NODEJS_TYPESCRIPT=false", "PULUMI_NODEJS_TSCONFIG_PATH=x/tsconfig.json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tsEnv = %q, want %q", got, want)
	}
}

func TestProgramDirPrefersTheRequestsProgramDirectory(t *testing.T) {
	dir := t.TempDir()
	if got := programDir(&pulumirpc.ProgramInfo{ProgramDirectory: dir}, "/elsewhere"); got != dir {
		t.Errorf("programDir = %q, want %q", got, dir)
	}
	if got := programDir(&pulumirpc.ProgramInfo{}, dir); got != dir {
		t.Errorf("programDir without a program directory = %q, want pwd %q", got, dir)
	}
	if got := programDir(nil, dir); got != dir {
		t.Errorf("programDir without info = %q, want pwd %q", got, dir)
	}
	t.Chdir(dir)
	if got := programDir(nil, ""); got != dir {
		t.Errorf("programDir with nothing = %q, want the working directory %q", got, dir)
	}
	if got := programDir(nil, "sub"); got != filepath.Join(dir, "sub") {
		t.Errorf("programDir of a relative pwd = %q, want it made absolute", got)
	}
}

func TestFindUpWalksToTheNearestMatchAndStopsAtTheRoot(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	writeFile(t, filepath.Join(root, "marker"), "outer")
	writeFile(t, filepath.Join(root, "a", "marker"), "inner")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	got, ok := findUp(deep, "marker")
	if !ok || got != filepath.Join(root, "a", "marker") {
		t.Errorf("findUp = %q, %v; want the nearest marker in %s", got, ok, filepath.Join(root, "a"))
	}
	if got, ok := findUp(deep, "no-such-file-anywhere-"+t.Name()); ok {
		t.Errorf("findUp found %q for a name that does not exist", got)
	}
}

func TestSdkScriptFindsTheInstalledSdkAboveTheProgram(t *testing.T) {
	t.Setenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH", "")
	pkg, prog := sdkProject(t)
	got, err := sdkScript(prog, "run-policy-pack")
	if err != nil || got != filepath.Join(pkg, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack") {
		t.Errorf("sdkScript = %q, %v", got, err)
	}
	// The override applies to programs only, never to plugins.
	t.Setenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH", "/custom/run")
	if got, _ := sdkScript(prog, "run"); got != "/custom/run" {
		t.Errorf("sdkScript(run) with the override = %q", got)
	}
	if got, _ := sdkScript(prog, "run-plugin"); got == "/custom/run" {
		t.Errorf("the run override leaked into run-plugin")
	}
	_, err = sdkScript(t.TempDir(), "run-plugin")
	if err == nil || !strings.Contains(err.Error(), "@pulumi/pulumi/cmd/run-plugin") || !strings.Contains(err.Error(), "npm install") {
		t.Errorf("sdkScript without an installed SDK: error %v, want one naming the script and npm install", err)
	}
}

func TestPackageDirsListsScopedPackagesAndSkipsHiddenEntries(t *testing.T) {
	nm := filepath.Join(t.TempDir(), "node_modules")
	for _, d := range []string{"yaml", "@pulumi/pulumi", "@pulumi/kubernetes", ".bin", ".package-lock.json.d"} {
		if err := os.MkdirAll(filepath.Join(nm, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, d := range packageDirs(nm) {
		rel, _ := filepath.Rel(nm, d)
		got = append(got, rel)
	}
	want := []string{"@pulumi/kubernetes", "@pulumi/pulumi", "yaml"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("packageDirs = %q, want %q", got, want)
	}
	if got := packageDirs(filepath.Join(nm, "missing")); got != nil {
		t.Errorf("packageDirs of a missing directory = %q, want none", got)
	}
}

func TestRequiredPluginsFromInstalledPackages(t *testing.T) {
	pkg, prog := sdkProject(t)
	nm := filepath.Join(pkg, "node_modules")
	// Declared in package.json: name from the package name, version from the package version.
	writeJSON(t, filepath.Join(nm, "@pulumi", "kubernetes", "package.json"), map[string]any{
		"name": "@pulumi/kubernetes", "version": "4.24.1", "pulumi": map[string]any{"resource": true},
	})
	// pulumi-plugin.json wins over package.json and may name a download server.
	writeJSON(t, filepath.Join(nm, "@acme", "widgets", "package.json"), map[string]any{
		"name": "@acme/widgets", "version": "9.9.9", "pulumi": map[string]any{"resource": true, "name": "wrong"},
	})
	writeJSON(t, filepath.Join(nm, "@acme", "widgets", "pulumi-plugin.json"), map[string]any{
		"resource": true, "name": "widgets", "version": "v1.2.3", "server": "https://plugins.example.test",
	})
	// Not a resource plugin, or no plugin at all: not required.
	writeJSON(t, filepath.Join(nm, "@pulumi", "pulumi", "package.json"), map[string]any{
		"name": "@pulumi/pulumi", "version": "3.259.0", "pulumi": map[string]any{"resource": false},
	})
	writeJSON(t, filepath.Join(nm, "yaml", "package.json"), map[string]any{"name": "yaml", "version": "2.9.1"})
	// Unreadable manifests are skipped, not fatal.
	writeFile(t, filepath.Join(nm, "broken", "package.json"), "{not json")

	got := requiredPlugins(prog)
	want := []*pulumirpc.PluginDependency{
		{Name: "kubernetes", Kind: "resource", Version: "v4.24.1"},
		{Name: "widgets", Kind: "resource", Version: "v1.2.3", Server: "https://plugins.example.test"},
	}
	if len(got) != len(want) {
		t.Fatalf("requiredPlugins = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].GetName() != want[i].GetName() || got[i].GetKind() != want[i].GetKind() ||
			got[i].GetVersion() != want[i].GetVersion() || got[i].GetServer() != want[i].GetServer() {
			t.Errorf("plugin %d = %v, want %v", i, got[i], want[i])
		}
	}

	resp, err := (&host{}).GetRequiredPackages(context.Background(),
		&pulumirpc.GetRequiredPackagesRequest{Info: programInfo(t, prog, nil)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range resp.GetPackages() {
		names = append(names, p.GetName()+"@"+p.GetVersion())
	}
	if want := []string{"kubernetes@v4.24.1", "widgets@v1.2.3"}; !reflect.DeepEqual(names, want) {
		t.Errorf("GetRequiredPackages = %q, want %q", names, want)
	}
}

func TestRequiredPluginsWithoutNodeModulesIsEmpty(t *testing.T) {
	if got := requiredPlugins(t.TempDir()); len(got) != 0 {
		t.Errorf("requiredPlugins = %v, want none", got)
	}
}

func TestGetProgramDependenciesReadsTheNearestPackage(t *testing.T) {
	pkg, prog := sdkProject(t)
	writeJSON(t, filepath.Join(pkg, "package.json"), map[string]any{
		"name":            "notebook-platform",
		"dependencies":    map[string]string{"yaml": "2.9.1", "@pulumi/pulumi": "3.259.0", "not-installed": "1.0.0"},
		"devDependencies": map[string]string{"jest": "^29"},
	})
	writeJSON(t, filepath.Join(pkg, "node_modules", "yaml", "package.json"), map[string]any{"name": "yaml", "version": "2.9.1"})
	writeJSON(t, filepath.Join(pkg, "node_modules", "@pulumi", "pulumi", "package.json"), map[string]any{"name": "@pulumi/pulumi", "version": "3.259.0"})
	writeJSON(t, filepath.Join(pkg, "node_modules", "jest", "package.json"), map[string]any{"name": "jest", "version": "29.7.0"})

	deps := func(transitive bool) []string {
		resp, err := (&host{}).GetProgramDependencies(context.Background(), &pulumirpc.GetProgramDependenciesRequest{
			Info: programInfo(t, prog, nil), TransitiveDependencies: transitive,
		})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range resp.GetDependencies() {
			out = append(out, d.GetName()+"@"+d.GetVersion())
		}
		return out
	}
	// Sorted by name, the installed version, packages that are not installed left out.
	if got, want := deps(false), []string{"@pulumi/pulumi@3.259.0", "yaml@2.9.1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("dependencies = %q, want %q", got, want)
	}
	if got, want := deps(true), []string{"@pulumi/pulumi@3.259.0", "jest@29.7.0", "yaml@2.9.1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("transitive dependencies = %q, want %q", got, want)
	}

	_, err := (&host{}).GetProgramDependencies(context.Background(), &pulumirpc.GetProgramDependenciesRequest{
		Info: programInfo(t, t.TempDir(), nil),
	})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "no package.json") {
		t.Errorf("without a package.json: %v, want FailedPrecondition naming package.json", err)
	}
}

func TestRunStartsTheSdkRunnerWithTheStacksConfig(t *testing.T) {
	record, _ := fakeNode(t)
	pkg, prog := sdkProject(t)
	h := &host{engineAddress: "127.0.0.1:4000", tracing: "http://trace.test"}
	resp, err := h.Run(context.Background(), &pulumirpc.RunRequest{
		Info:             programInfo(t, prog, map[string]any{"nodeargs": "--no-warnings", "typescript": false}),
		Pwd:              prog,
		MonitorAddress:   "127.0.0.1:5000",
		Organization:     "org",
		Project:          "notebook-platform",
		Stack:            "team-a",
		DryRun:           true,
		Parallel:         4,
		Config:           map[string]string{"notebook-platform:team": "a", "notebook-platform:token": "s3cret"},
		ConfigSecretKeys: []string{"notebook-platform:token"},
		Args:             []string{"extra"},
	})
	if err != nil || resp.GetError() != "" || resp.GetBail() {
		t.Fatalf("Run = %v, %v; want success", resp, err)
	}
	r := readRecord(t, record)
	if r.cwd != prog {
		t.Errorf("node ran in %q, want the program directory %q", r.cwd, prog)
	}
	want := []string{
		"--no-warnings",
		filepath.Join(pkg, "node_modules", "@pulumi", "pulumi", "cmd", "run"),
		"--monitor", "127.0.0.1:5000",
		"--engine", "127.0.0.1:4000",
		"--organization", "org",
		"--project", "notebook-platform",
		"--stack", "team-a",
		"--pwd", prog,
		"--root-directory", prog,
		"--dry-run",
		"--parallel", "4",
		"--tracing", "http://trace.test",
		".",
		"extra",
	}
	if !reflect.DeepEqual(r.args, want) {
		t.Errorf("node arguments\n got %q\nwant %q", r.args, want)
	}
	var cfg map[string]string
	if err := json.Unmarshal([]byte(r.env["PULUMI_CONFIG"]), &cfg); err != nil || cfg["notebook-platform:team"] != "a" || len(cfg) != 2 {
		t.Errorf("PULUMI_CONFIG = %q (%v)", r.env["PULUMI_CONFIG"], err)
	}
	if got := r.env["PULUMI_CONFIG_SECRET_KEYS"]; got != `["notebook-platform:token"]` {
		t.Errorf("PULUMI_CONFIG_SECRET_KEYS = %q", got)
	}
	if got := r.env["PULUMI_NODEJS_TYPESCRIPT"]; got != "false" {
		t.Errorf("PULUMI_NODEJS_TYPESCRIPT = %q, want false", got)
	}
}

func TestRunOmitsEmptyFlagsAndSendsEmptyConfigAsJSON(t *testing.T) {
	record, _ := fakeNode(t)
	_, prog := sdkProject(t)
	info := programInfo(t, prog, nil)
	info.RootDirectory = ""
	info.EntryPoint = ""
	resp, err := (&host{}).Run(context.Background(), &pulumirpc.RunRequest{Info: info, Program: "index.js"})
	if err != nil || resp.GetError() != "" {
		t.Fatalf("Run = %v, %v", resp, err)
	}
	r := readRecord(t, record)
	for _, a := range r.args {
		if strings.HasPrefix(a, "--") {
			t.Errorf("unexpected flag %q for a request that sets none", a)
		}
	}
	if last := r.args[len(r.args)-1]; last != "index.js" {
		t.Errorf("entry point %q, want the request's program when the project names none", last)
	}
	if r.env["PULUMI_CONFIG"] != "{}" || r.env["PULUMI_CONFIG_SECRET_KEYS"] != "[]" {
		t.Errorf("empty config sent as %q and %q, want {} and []", r.env["PULUMI_CONFIG"], r.env["PULUMI_CONFIG_SECRET_KEYS"])
	}
}

func TestRunReportsHowTheProgramEnded(t *testing.T) {
	_, exitFile := fakeNode(t)
	_, prog := sdkProject(t)
	run := func(code string) *pulumirpc.RunResponse {
		t.Helper()
		writeFile(t, exitFile, code)
		resp, err := (&host{}).Run(context.Background(), &pulumirpc.RunRequest{Info: programInfo(t, prog, nil)})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	// The SDK has already shown the error: the engine must not report it again.
	if resp := run("32"); !resp.GetBail() || resp.GetError() != "" {
		t.Errorf("exit 32: %v, want bail without a message", resp)
	}
	if resp := run("3"); resp.GetBail() || resp.GetError() != "Program exited with non-zero exit code: 3" {
		t.Errorf("exit 3: %v, want an error naming the exit code", resp)
	}
}

func TestRunWithoutTheSdkInstalledIsAnErrorResponse(t *testing.T) {
	record, _ := fakeNode(t)
	resp, err := (&host{}).Run(context.Background(), &pulumirpc.RunRequest{Info: programInfo(t, t.TempDir(), nil)})
	if err != nil || !strings.Contains(resp.GetError(), "have you run npm install?") {
		t.Errorf("Run = %v, %v; want an error response asking for npm install", resp, err)
	}
	if _, statErr := os.Stat(record); statErr == nil {
		t.Errorf("node was started although the SDK is missing")
	}
}

// pluginStream collects what RunPlugin sends to the engine.
type pluginStream struct {
	grpc.ServerStream
	mu   sync.Mutex
	msgs []*pulumirpc.RunPluginResponse
}

func (s *pluginStream) Context() context.Context { return context.Background() }

func (s *pluginStream) Send(m *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	return nil
}

func TestRunPluginRunsPolicyPacksAndStreamsTheirOutput(t *testing.T) {
	record, exitFile := fakeNode(t)
	pkg, prog := sdkProject(t)
	writeFile(t, exitFile, "7")
	stream := &pluginStream{}
	err := (&host{}).RunPlugin(&pulumirpc.RunPluginRequest{
		Info: programInfo(t, prog, map[string]any{"nodeargs": "--no-warnings"}),
		Pwd:  "/the/project",
		Kind: "analyzer",
		Args: []string{"127.0.0.1:6000"},
		Env:  []string{"PULUMI_POLICY_TEST=1"},
	}, stream)
	if err != nil {
		t.Fatal(err)
	}
	r := readRecord(t, record)
	want := []string{"--no-warnings", filepath.Join(pkg, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack"), "127.0.0.1:6000", prog}
	if !reflect.DeepEqual(r.args, want) {
		t.Errorf("node arguments\n got %q\nwant %q", r.args, want)
	}
	// Plugins run in their own directory, not the project's pwd.
	if r.cwd != prog {
		t.Errorf("plugin ran in %q, want %q", r.cwd, prog)
	}
	if r.env["PULUMI_POLICY_TEST"] != "1" {
		t.Errorf("the request's environment did not reach the plugin: %v", r.env)
	}
	var stdout, stderr string
	for _, m := range stream.msgs[:len(stream.msgs)-1] {
		stdout += string(m.GetStdout())
		stderr += string(m.GetStderr())
	}
	if stdout != "out-line\n" || stderr != "err-line\n" {
		t.Errorf("streamed stdout %q and stderr %q", stdout, stderr)
	}
	last := stream.msgs[len(stream.msgs)-1]
	if _, ok := last.GetOutput().(*pulumirpc.RunPluginResponse_Exitcode); !ok || last.GetExitcode() != 7 {
		t.Errorf("last message %v, want exit code 7", last)
	}
}

func TestRunPluginRunsOtherPluginsThroughRunPlugin(t *testing.T) {
	record, _ := fakeNode(t)
	pkg, prog := sdkProject(t)
	stream := &pluginStream{}
	if err := (&host{}).RunPlugin(&pulumirpc.RunPluginRequest{Info: programInfo(t, prog, nil), Kind: "resource"}, stream); err != nil {
		t.Fatal(err)
	}
	r := readRecord(t, record)
	if want := filepath.Join(pkg, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin"); len(r.args) == 0 || r.args[0] != want {
		t.Errorf("node arguments %q, want %q first", r.args, want)
	}
	if last := stream.msgs[len(stream.msgs)-1]; last.GetExitcode() != 0 {
		t.Errorf("exit code %d, want 0", last.GetExitcode())
	}
}

func TestGetPluginInfoReportsTheBuiltVersion(t *testing.T) {
	old := Version
	t.Cleanup(func() { Version = old })
	Version = "v3.259.0"
	info, err := (&host{}).GetPluginInfo(context.Background(), nil)
	if err != nil || info.GetVersion() != "v3.259.0" {
		t.Errorf("GetPluginInfo = %v, %v", info, err)
	}
}

func TestWatchEngineCallsGoneOnceTheParentChanges(t *testing.T) {
	var mu sync.Mutex
	parent := 4242
	ppid := func() int { mu.Lock(); defer mu.Unlock(); return parent }
	gone := make(chan int, 2)
	watchEngine(5*time.Millisecond, ppid, func(p int) { gone <- p })
	select {
	case p := <-gone:
		t.Fatalf("gone(%d) while the parent is alive", p)
	case <-time.After(50 * time.Millisecond):
	}
	mu.Lock()
	parent = 1
	mu.Unlock()
	select {
	case p := <-gone:
		if p != 4242 {
			t.Fatalf("gone(%d), want the engine's pid 4242", p)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("gone not called within 2 s of the parent changing")
	}
}
