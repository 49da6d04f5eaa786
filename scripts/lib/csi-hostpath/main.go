// csi-hostpath: a small CSI driver for the real node's snapshot and restore tests. Volumes are
// directories under -root, snapshots are copies of them, and a restored volume starts as a copy of
// its snapshot; a pod's volume is a bind mount of its directory. It also answers the kubelet's
// plugin registration (what node-driver-registrar does), so one host process is the whole node
// plugin. Not for production: no quotas, no topology, copies instead of copy-on-write.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
	registration "k8s.io/kubelet/pkg/apis/pluginregistration/v1"
)

// Names the sidecars and the kubelet pass us become directory names: nothing else is accepted.
var safeName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$`)

type driver struct {
	csi.UnimplementedIdentityServer
	csi.UnimplementedControllerServer
	csi.UnimplementedNodeServer
	name, version, nodeID, root, endpoint string
}

func (d *driver) volumeDir(id string) string   { return filepath.Join(d.root, "volumes", id) }
func (d *driver) snapshotDir(id string) string { return filepath.Join(d.root, "snapshots", id) }

func checkName(what, name string) error {
	if !safeName.MatchString(name) {
		return status.Errorf(codes.InvalidArgument, "%s %q is not a plain name", what, name)
	}
	return nil
}

// copyTree copies src's content into dst (created), keeping modes, owners and times.
func copyTree(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	out, err := exec.Command("cp", "-a", src+"/.", dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cp -a %s %s: %v: %s", src, dst, err, out)
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (d *driver) GetPluginInfo(context.Context, *csi.GetPluginInfoRequest) (*csi.GetPluginInfoResponse, error) {
	return &csi.GetPluginInfoResponse{Name: d.name, VendorVersion: d.version}, nil
}

func (d *driver) GetPluginCapabilities(context.Context, *csi.GetPluginCapabilitiesRequest) (*csi.GetPluginCapabilitiesResponse, error) {
	return &csi.GetPluginCapabilitiesResponse{Capabilities: []*csi.PluginCapability{{
		Type: &csi.PluginCapability_Service_{Service: &csi.PluginCapability_Service{Type: csi.PluginCapability_Service_CONTROLLER_SERVICE}},
	}}}, nil
}

func (d *driver) Probe(context.Context, *csi.ProbeRequest) (*csi.ProbeResponse, error) {
	return &csi.ProbeResponse{}, nil
}

func (d *driver) ControllerGetCapabilities(context.Context, *csi.ControllerGetCapabilitiesRequest) (*csi.ControllerGetCapabilitiesResponse, error) {
	capability := func(t csi.ControllerServiceCapability_RPC_Type) *csi.ControllerServiceCapability {
		return &csi.ControllerServiceCapability{Type: &csi.ControllerServiceCapability_Rpc{Rpc: &csi.ControllerServiceCapability_RPC{Type: t}}}
	}
	return &csi.ControllerGetCapabilitiesResponse{Capabilities: []*csi.ControllerServiceCapability{
		capability(csi.ControllerServiceCapability_RPC_CREATE_DELETE_VOLUME),
		capability(csi.ControllerServiceCapability_RPC_CREATE_DELETE_SNAPSHOT),
	}}, nil
}

func (d *driver) CreateVolume(_ context.Context, req *csi.CreateVolumeRequest) (*csi.CreateVolumeResponse, error) {
	if err := checkName("volume name", req.GetName()); err != nil {
		return nil, err
	}
	dir := d.volumeDir(req.GetName())
	source := req.GetVolumeContentSource()
	if !exists(dir) {
		switch {
		case source.GetSnapshot() != nil:
			id := source.GetSnapshot().GetSnapshotId()
			if err := checkName("snapshot id", id); err != nil {
				return nil, err
			}
			if !exists(d.snapshotDir(id)) {
				return nil, status.Errorf(codes.NotFound, "snapshot %s not found", id)
			}
			// Into a temporary directory first: a half-copied volume is never handed out.
			tmp := dir + ".restoring"
			_ = os.RemoveAll(tmp)
			if err := copyTree(d.snapshotDir(id), tmp); err != nil {
				return nil, status.Error(codes.Internal, err.Error())
			}
			if err := os.Rename(tmp, dir); err != nil {
				return nil, status.Error(codes.Internal, err.Error())
			}
			log.Printf("volume %s restored from snapshot %s", req.GetName(), id)
		case source != nil:
			return nil, status.Error(codes.InvalidArgument, "only snapshots are supported as a volume's content source")
		default:
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, status.Error(codes.Internal, err.Error())
			}
			log.Printf("volume %s created", req.GetName())
		}
	}
	return &csi.CreateVolumeResponse{Volume: &csi.Volume{VolumeId: req.GetName(), CapacityBytes: req.GetCapacityRange().GetRequiredBytes(), ContentSource: source}}, nil
}

func (d *driver) DeleteVolume(_ context.Context, req *csi.DeleteVolumeRequest) (*csi.DeleteVolumeResponse, error) {
	if err := checkName("volume id", req.GetVolumeId()); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(d.volumeDir(req.GetVolumeId())); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	log.Printf("volume %s deleted", req.GetVolumeId())
	return &csi.DeleteVolumeResponse{}, nil
}

func (d *driver) ValidateVolumeCapabilities(_ context.Context, req *csi.ValidateVolumeCapabilitiesRequest) (*csi.ValidateVolumeCapabilitiesResponse, error) {
	return &csi.ValidateVolumeCapabilitiesResponse{Confirmed: &csi.ValidateVolumeCapabilitiesResponse_Confirmed{VolumeCapabilities: req.GetVolumeCapabilities()}}, nil
}

func (d *driver) CreateSnapshot(_ context.Context, req *csi.CreateSnapshotRequest) (*csi.CreateSnapshotResponse, error) {
	if err := checkName("snapshot name", req.GetName()); err != nil {
		return nil, err
	}
	if err := checkName("source volume id", req.GetSourceVolumeId()); err != nil {
		return nil, err
	}
	src, dst := d.volumeDir(req.GetSourceVolumeId()), d.snapshotDir(req.GetName())
	if !exists(src) {
		return nil, status.Errorf(codes.NotFound, "volume %s not found", req.GetSourceVolumeId())
	}
	if !exists(dst) {
		tmp := dst + ".taking"
		_ = os.RemoveAll(tmp)
		if err := copyTree(src, tmp); err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		if err := os.Rename(tmp, dst); err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		log.Printf("snapshot %s of volume %s taken", req.GetName(), req.GetSourceVolumeId())
	}
	info, err := os.Stat(dst)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &csi.CreateSnapshotResponse{Snapshot: &csi.Snapshot{
		SnapshotId: req.GetName(), SourceVolumeId: req.GetSourceVolumeId(), CreationTime: timestamppb.New(info.ModTime()), ReadyToUse: true,
	}}, nil
}

func (d *driver) DeleteSnapshot(_ context.Context, req *csi.DeleteSnapshotRequest) (*csi.DeleteSnapshotResponse, error) {
	if err := checkName("snapshot id", req.GetSnapshotId()); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(d.snapshotDir(req.GetSnapshotId())); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	log.Printf("snapshot %s deleted", req.GetSnapshotId())
	return &csi.DeleteSnapshotResponse{}, nil
}

func (d *driver) NodeGetCapabilities(context.Context, *csi.NodeGetCapabilitiesRequest) (*csi.NodeGetCapabilitiesResponse, error) {
	return &csi.NodeGetCapabilitiesResponse{}, nil
}

func (d *driver) NodeGetInfo(context.Context, *csi.NodeGetInfoRequest) (*csi.NodeGetInfoResponse, error) {
	return &csi.NodeGetInfoResponse{NodeId: d.nodeID}, nil
}

// isMountPoint: the target's device differs from its parent's, or it is the same bind of a directory.
func isMountPoint(path string) bool {
	out, err := exec.Command("mountpoint", "-q", path).CombinedOutput()
	return err == nil && len(out) == 0
}

func (d *driver) NodePublishVolume(_ context.Context, req *csi.NodePublishVolumeRequest) (*csi.NodePublishVolumeResponse, error) {
	if err := checkName("volume id", req.GetVolumeId()); err != nil {
		return nil, err
	}
	target := req.GetTargetPath()
	if target == "" || !filepath.IsAbs(target) {
		return nil, status.Error(codes.InvalidArgument, "target path must be absolute")
	}
	src := d.volumeDir(req.GetVolumeId())
	if !exists(src) {
		return nil, status.Errorf(codes.NotFound, "volume %s not found", req.GetVolumeId())
	}
	if err := os.MkdirAll(target, 0o750); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if !isMountPoint(target) {
		if err := syscall.Mount(src, target, "", syscall.MS_BIND, ""); err != nil {
			return nil, status.Errorf(codes.Internal, "bind mount %s on %s: %v", src, target, err)
		}
		if req.GetReadonly() {
			if err := syscall.Mount("", target, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
				_ = syscall.Unmount(target, 0)
				return nil, status.Errorf(codes.Internal, "read-only remount of %s: %v", target, err)
			}
		}
		log.Printf("volume %s published at %s (read-only %v)", req.GetVolumeId(), target, req.GetReadonly())
	}
	return &csi.NodePublishVolumeResponse{}, nil
}

func (d *driver) NodeUnpublishVolume(_ context.Context, req *csi.NodeUnpublishVolumeRequest) (*csi.NodeUnpublishVolumeResponse, error) {
	target := req.GetTargetPath()
	if target == "" || !filepath.IsAbs(target) {
		return nil, status.Error(codes.InvalidArgument, "target path must be absolute")
	}
	if isMountPoint(target) {
		if err := syscall.Unmount(target, 0); err != nil {
			return nil, status.Errorf(codes.Internal, "unmount %s: %v", target, err)
		}
	}
	if err := os.Remove(target); err != nil && !os.IsNotExist(err) {
		return nil, status.Error(codes.Internal, err.Error())
	}
	log.Printf("volume %s unpublished from %s", req.GetVolumeId(), target)
	return &csi.NodeUnpublishVolumeResponse{}, nil
}

// registrar answers the kubelet's plugin watcher on the registration socket.
type registrar struct {
	registration.UnimplementedRegistrationServer
	name, endpoint string
}

func (r *registrar) GetInfo(context.Context, *registration.InfoRequest) (*registration.PluginInfo, error) {
	return &registration.PluginInfo{Type: registration.CSIPlugin, Name: r.name, Endpoint: r.endpoint, SupportedVersions: []string{"1.0.0"}}, nil
}

func (r *registrar) NotifyRegistrationStatus(_ context.Context, s *registration.RegistrationStatus) (*registration.RegistrationStatusResponse, error) {
	if s.PluginRegistered {
		log.Printf("registered with the kubelet")
	} else {
		log.Printf("the kubelet refused the registration: %s", s.Error)
	}
	return &registration.RegistrationStatusResponse{}, nil
}

func listen(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	return net.Listen("unix", path)
}

func main() {
	d := &driver{}
	var registrationSocket string
	flag.StringVar(&d.name, "name", "hostpath.csi.notebook-platform.local", "the CSI driver name")
	flag.StringVar(&d.version, "version", "0.1.0", "the vendor version")
	flag.StringVar(&d.nodeID, "node-id", "", "the node's name (NodeGetInfo)")
	flag.StringVar(&d.root, "root", "", "directory holding volumes/ and snapshots/")
	flag.StringVar(&d.endpoint, "csi-socket", "", "the CSI unix socket to serve")
	flag.StringVar(&registrationSocket, "registration-socket", "", "the kubelet plugin registration socket to serve (plugins_registry/<name>-reg.sock); none: no registration")
	flag.Parse()
	if d.nodeID == "" || d.root == "" || d.endpoint == "" {
		log.Fatal("-node-id, -root and -csi-socket are required")
	}
	for _, sub := range []string{"volumes", "snapshots"} {
		if err := os.MkdirAll(filepath.Join(d.root, sub), 0o755); err != nil {
			log.Fatal(err)
		}
	}
	csiListener, err := listen(d.endpoint)
	if err != nil {
		log.Fatal(err)
	}
	server := grpc.NewServer()
	csi.RegisterIdentityServer(server, d)
	csi.RegisterControllerServer(server, d)
	csi.RegisterNodeServer(server, d)
	if registrationSocket != "" {
		regListener, err := listen(registrationSocket)
		if err != nil {
			log.Fatal(err)
		}
		reg := grpc.NewServer()
		registration.RegisterRegistrationServer(reg, &registrar{name: d.name, endpoint: d.endpoint})
		go func() { log.Fatal(reg.Serve(regListener)) }()
	}
	log.Printf("%s %s serving %s (node %s, data in %s)", d.name, d.version, d.endpoint, d.nodeID, d.root)
	log.Fatal(server.Serve(csiListener))
}
