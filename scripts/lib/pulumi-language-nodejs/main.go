// pulumi-language-nodejs: a small Node.js language host for the Pulumi CLI, written for this
// project (see scripts/pulumi-toolchain for why we build our own).
//
// The Pulumi engine starts a language host with the engine's gRPC address as the last argument,
// reads the port the host prints on stdout and then calls the LanguageRuntime service on it.
// This host implements what `pulumi preview/up/destroy` and `pulumi preview --policy-pack` need:
//
//   - Run: starts `node <@pulumi/pulumi>/cmd/run ... <entry point>` in the program directory,
//     passing the stack's config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS;
//   - RunPlugin: starts a plugin written in Node.js (a policy pack via cmd/run-policy-pack, a
//     provider via cmd/run-plugin) and streams its stdout/stderr/exit code back to the engine;
//   - GetRequiredPackages/GetRequiredPlugins: lists the provider plugins that the installed npm
//     packages declare (package.json "pulumi": {"resource": true}, or pulumi-plugin.json);
//   - GetPluginInfo, About, GetProgramDependencies and a minimal InstallDependencies (npm install).
//
// Everything else answers Unimplemented, which the engine treats as "not supported".
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Version is set with -ldflags "-X main.Version=v3.x.y" to the CLI version it is built with.
var Version = "v0.0.0-dev"

// The Node.js SDK exits with this code when it has already reported the error to the user.
const exitCodeAlreadyReported = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string
}

func main() {
	tracing := flag.String("tracing", "", "tracing endpoint (passed on to the Node.js runtime)")
	// Accepted for compatibility with the engine's flags; not used.
	_ = flag.String("root", "", "unused")
	_ = flag.String("binary", "", "unused")
	flag.Parse()

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[len(args)-1]
	}

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: listen: %v\n", err)
		os.Exit(1)
	}
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(400 * 1024 * 1024))
	pulumirpc.RegisterLanguageRuntimeServer(srv, &host{engineAddress: engineAddress, tracing: *tracing})
	healthpb.RegisterHealthServer(srv, health.NewServer())

	// A CLI killed with SIGKILL does not end its plugins: end this host, and the programs and
	// policy packs it started, when the engine is gone.
	watchEngine(engineWatchInterval, os.Getppid, func(parent int) {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: the engine (pid %d) is gone: exiting\n", parent)
		// The engine starts each plugin in a process group of its own; our children share it.
		if pgid := syscall.Getpgrp(); pgid == os.Getpid() {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
		os.Exit(1)
	})

	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", lis.Addr().(*net.TCPAddr).Port)

	if err := srv.Serve(lis); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: serve: %v\n", err)
		os.Exit(1)
	}
}

// How often the host checks that the engine is still its parent.
const engineWatchInterval = 200 * time.Millisecond

// watchEngine calls gone once the parent process that started us has changed (it died and we
// were re-parented), checking every interval.
func watchEngine(interval time.Duration, ppid func() int, gone func(parent int)) {
	parent := ppid()
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for range tick.C {
			if ppid() != parent {
				gone(parent)
				return
			}
		}
	}()
}

// ---- program information -------------------------------------------------------------------

type runtimeOptions struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

func optionsOf(info *pulumirpc.ProgramInfo) runtimeOptions {
	opts := runtimeOptions{typescript: true}
	if info == nil || info.GetOptions() == nil {
		return opts
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		opts.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok && strings.TrimSpace(v) != "" {
		opts.nodeargs = strings.Fields(v)
	}
	return opts
}

// programDir returns the absolute program directory of a request.
func programDir(info *pulumirpc.ProgramInfo, pwd string) string {
	dir := ""
	if info != nil {
		dir = info.GetProgramDirectory()
	}
	if dir == "" {
		dir = pwd
	}
	if dir == "" {
		dir, _ = os.Getwd()
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir
}

// findUp looks for rel in dir and its parents, like Node's module resolution does for node_modules.
func findUp(dir, rel string) (string, bool) {
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// sdkScript finds @pulumi/pulumi/cmd/<name> as installed for the program in dir.
func sdkScript(dir, name string) (string, error) {
	if env := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); env != "" && name == "run" {
		return env, nil
	}
	p, ok := findUp(dir, filepath.Join("node_modules", "@pulumi", "pulumi", "cmd", name))
	if !ok {
		return "", fmt.Errorf("could not find @pulumi/pulumi/cmd/%s from %s: "+
			"it looks like the Pulumi SDK has not been installed; have you run npm install?", name, dir)
	}
	return p, nil
}

func nodeBinary() (string, error) {
	p, err := exec.LookPath("node")
	if err != nil {
		return "", errors.New("could not find node on the $PATH")
	}
	return p, nil
}

func tsEnv(opts runtimeOptions) []string {
	env := []string{fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%v", opts.typescript)}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	return env
}

// ---- Run ----------------------------------------------------------------------------------------

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	opts := optionsOf(req.GetInfo())
	node, err := nodeBinary()
	if err != nil {
		return nil, err
	}
	runPath, err := sdkScript(dir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	flagArg := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engineAddress)
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("stack", req.GetStack())
	flagArg("pwd", req.GetPwd())
	if req.GetInfo() != nil {
		flagArg("root-directory", req.GetInfo().GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetQueryMode() {
		args = append(args, "--query-mode")
	}
	if req.GetParallel() > 0 {
		flagArg("parallel", fmt.Sprint(req.GetParallel()))
	}
	flagArg("tracing", h.tracing)
	entry := "."
	if req.GetInfo() != nil && req.GetInfo().GetEntryPoint() != "" {
		entry = req.GetInfo().GetEntryPoint()
	} else if req.GetProgram() != "" {
		entry = req.GetProgram()
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	cfg := req.GetConfig()
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing config secret keys: %w", err)
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), tsEnv(opts)...)
	cmd.Env = append(cmd.Env, "PULUMI_CONFIG="+string(cfgJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON))

	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code := -1
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				code = ws.ExitStatus()
			}
			if code == exitCodeAlreadyReported {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// ---- RunPlugin ------------------------------------------------------------------------------

// streamWriter forwards a child's output to the engine as RunPluginResponse messages.
type streamWriter struct {
	mu     *sync.Mutex
	server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	buf := append([]byte(nil), p...)
	msg := &pulumirpc.RunPluginResponse{}
	if w.stderr {
		msg.Output = &pulumirpc.RunPluginResponse_Stderr{Stderr: buf}
	} else {
		msg.Output = &pulumirpc.RunPluginResponse_Stdout{Stdout: buf}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.server.Send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest,
	server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	dir := programDir(req.GetInfo(), req.GetPwd())
	opts := optionsOf(req.GetInfo())
	node, err := nodeBinary()
	if err != nil {
		return err
	}
	script := "run-plugin"
	if req.GetKind() == "analyzer" {
		script = "run-policy-pack"
	}
	runPath, err := sdkScript(dir, script)
	if err != nil {
		return err
	}
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	args = append(args, req.GetArgs()...)
	args = append(args, dir)

	var mu sync.Mutex
	cmd := exec.CommandContext(server.Context(), node, args...)
	// Plugins run in their own directory: @pulumi/policy reads ./package.json for the pack's
	// version, and ts-node looks for ./tsconfig.json. (req.Pwd is the project's directory.)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	cmd.Env = append(cmd.Env, tsEnv(opts)...)
	cmd.Stdout = streamWriter{mu: &mu, server: server}
	cmd.Stderr = streamWriter{mu: &mu, server: server, stderr: true}

	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("running %s: %w", script, err)
		}
		code = int32(exitErr.ExitCode())
	}
	mu.Lock()
	defer mu.Unlock()
	return server.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code},
	})
}

// ---- required plugins -------------------------------------------------------------------------

type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          *pluginJSON       `json:"pulumi"`
}

type pluginJSON struct {
	Resource bool   `json:"resource"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	Server   string `json:"server"`
}

func readJSON(path string, v any) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

// packageDirs lists the package directories directly under node_modules (including @scope/x).
func packageDirs(nodeModules string) []string {
	var dirs []string
	entries, err := os.ReadDir(nodeModules)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(nodeModules, name)
		if strings.HasPrefix(name, "@") {
			sub, err := os.ReadDir(p)
			if err != nil {
				continue
			}
			for _, s := range sub {
				dirs = append(dirs, filepath.Join(p, s.Name()))
			}
			continue
		}
		dirs = append(dirs, p)
	}
	return dirs
}

func requiredPlugins(dir string) []*pulumirpc.PluginDependency {
	nodeModules, ok := findUp(dir, "node_modules")
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []*pulumirpc.PluginDependency
	for _, pkgDir := range packageDirs(nodeModules) {
		var pkg packageJSON
		if !readJSON(filepath.Join(pkgDir, "package.json"), &pkg) {
			continue
		}
		var plugin pluginJSON
		if !readJSON(filepath.Join(pkgDir, "pulumi-plugin.json"), &plugin) {
			if pkg.Pulumi == nil {
				continue
			}
			plugin = *pkg.Pulumi
		}
		if !plugin.Resource {
			continue
		}
		name := plugin.Name
		if name == "" {
			name = strings.TrimPrefix(strings.TrimPrefix(pkg.Name, "@pulumi/"), "@")
		}
		version := plugin.Version
		if version == "" {
			version = pkg.Version
		}
		if version != "" && !strings.HasPrefix(version, "v") {
			version = "v" + version
		}
		key := name + "@" + version
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, &pulumirpc.PluginDependency{
			Name: name, Kind: "resource", Version: version, Server: plugin.Server,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (h *host) GetRequiredPlugins(ctx context.Context,
	req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{
		Plugins: requiredPlugins(programDir(req.GetInfo(), req.GetProgram())),
	}, nil
}

func (h *host) GetRequiredPackages(ctx context.Context,
	req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	var pkgs []*pulumirpc.PackageDependency
	for _, p := range requiredPlugins(programDir(req.GetInfo(), "")) {
		pkgs = append(pkgs, &pulumirpc.PackageDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

// ---- misc -------------------------------------------------------------------------------------

func (h *host) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := nodeBinary()
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "notebook-platform minimal nodejs host " + Version},
	}, nil
}

func (h *host) GetProgramDependencies(ctx context.Context,
	req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	// The program may sit below its package (Pulumi.yaml main: stacks/index.ts), as node
	// resolves it: the nearest package.json upwards.
	start := programDir(req.GetInfo(), req.GetProgram())
	manifest, found := findUp(start, "package.json")
	var pkg packageJSON
	if !found || !readJSON(manifest, &pkg) {
		return nil, status.Errorf(codes.FailedPrecondition, "no package.json in %s or above", start)
	}
	dir := filepath.Dir(manifest)
	names := make([]string, 0, len(pkg.Dependencies))
	for n := range pkg.Dependencies {
		names = append(names, n)
	}
	if req.GetTransitiveDependencies() {
		for n := range pkg.DevDependencies {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var deps []*pulumirpc.DependencyInfo
	for _, n := range names {
		var installed packageJSON
		p, ok := findUp(dir, filepath.Join("node_modules", n, "package.json"))
		if !ok || !readJSON(p, &installed) {
			continue
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: installed.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// InstallDependencies runs `npm install` when node_modules is missing; the toolchain never
// downloads anything else.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory())
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
		return nil
	}
	cmd := exec.CommandContext(server.Context(), "npm", "install")
	cmd.Dir = dir
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("npm install: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); pw.Close() }()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if err := server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: append(sc.Bytes(), '\n')}); err != nil {
			return err
		}
	}
	if err := <-done; err != nil {
		return fmt.Errorf("npm install in %s: %w", dir, err)
	}
	return nil
}
