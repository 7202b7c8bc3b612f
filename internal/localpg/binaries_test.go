package localpg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBinDir creates dir holding the named files with the given mode.
func fakeBinDir(t *testing.T, dir string, mode os.FileMode, names ...string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindBinDir(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	all := serverBinaries
	partial := fakeBinDir(t, filepath.Join(base, "partial"), 0o755, "initdb", "pg_ctl")
	notExec := fakeBinDir(t, filepath.Join(base, "noexec"), 0o644, all...)
	onPath := fakeBinDir(t, filepath.Join(base, "onpath"), 0o755, all...)
	root := filepath.Join(base, "lib")
	fakeBinDir(t, filepath.Join(root, "9.6", "bin"), 0o755, all...)
	v15 := fakeBinDir(t, filepath.Join(root, "15", "bin"), 0o755, all...)
	fakeBinDir(t, filepath.Join(root, "16", "bin"), 0o755, "initdb", "postgres")

	join := func(dirs ...string) string { return strings.Join(dirs, string(os.PathListSeparator)) }
	tests := []struct {
		name, path, root, want string
	}{
		{"PATH wins over versioned dirs", join(partial, onPath), root, onPath},
		{"incomplete and non-executable dirs are skipped", join(partial, notExec), root, v15},
		{"newest complete version", "", root, v15},
		{"empty PATH entries are ignored", join("", partial), root, v15},
		{"nothing anywhere", join(partial), filepath.Join(base, "missing"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := findBinDir(tt.path, tt.root); got != tt.want {
				t.Errorf("findBinDir = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int // sign only
	}{
		{"15", "15", 0},
		{"9.6", "15", -1},
		{"16", "15", 1},
		{"10", "9.6", 1},
		{"9.6", "9.5", 1},
		{"15.1", "15", 1},
		{"beta", "15", 1},
	}
	for _, tt := range tests {
		got := compareVersions(tt.a, tt.b)
		if sign(got) != tt.want {
			t.Errorf("compareVersions(%q, %q) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
