package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/container-storage-interface/spec/lib/go/csi"
)

// Volumes, snapshots and restores as directories: a restore holds the content at snapshot time.
func TestSnapshotAndRestore(t *testing.T) {
	d := &driver{name: "test", nodeID: "n", root: t.TempDir()}
	for _, sub := range []string{"volumes", "snapshots"} {
		if err := os.MkdirAll(filepath.Join(d.root, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	if _, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-1"}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(d.volumeDir("pvc-1"), "results.txt")
	if err := os.WriteFile(file, []byte("monday"), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, err := d.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "snap-1", SourceVolumeId: "pvc-1"})
	if err != nil || !snap.Snapshot.ReadyToUse || snap.Snapshot.SourceVolumeId != "pvc-1" {
		t.Fatalf("snapshot: %v %v", snap, err)
	}
	if err := os.WriteFile(file, []byte("tuesday"), 0o644); err != nil {
		t.Fatal(err)
	}
	source := &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Snapshot{Snapshot: &csi.VolumeContentSource_SnapshotSource{SnapshotId: "snap-1"}}}
	restored, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-2", VolumeContentSource: source})
	if err != nil || restored.Volume.ContentSource.GetSnapshot().GetSnapshotId() != "snap-1" {
		t.Fatalf("restore: %v %v", restored, err)
	}
	for volume, want := range map[string]string{"pvc-1": "tuesday", "pvc-2": "monday"} {
		got, err := os.ReadFile(filepath.Join(d.volumeDir(volume), "results.txt"))
		if err != nil || string(got) != want {
			t.Errorf("%s: got %q (%v), want %q", volume, got, err, want)
		}
	}
	// Asking again is idempotent (the provisioner retries): the restored volume keeps its content.
	if _, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-2", VolumeContentSource: source}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-3", VolumeContentSource: &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Snapshot{Snapshot: &csi.VolumeContentSource_SnapshotSource{SnapshotId: "missing"}}}}); err == nil {
		t.Error("a restore from a missing snapshot succeeded")
	}
}

// Names become directory names: nothing that could leave the data directory is accepted.
func TestNamesStayInside(t *testing.T) {
	d := &driver{root: t.TempDir()}
	ctx := context.Background()
	for _, name := range []string{"../x", "a/b", "", ".hidden", "x y"} {
		if _, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: name}); err == nil {
			t.Errorf("volume name %q accepted", name)
		}
		if _, err := d.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: name, SourceVolumeId: "v"}); err == nil {
			t.Errorf("snapshot name %q accepted", name)
		}
	}
}
