package localpg

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNoBinaries reports that no directory holds the PostgreSQL server
// binaries Start needs.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found: " +
	"install PostgreSQL server binaries (e.g. apt-get install postgresql) or set " + EnvURL)

// serverBinaries must all live in one directory: pg_ctl and initdb find the
// postgres executable next to themselves, so mixing installations fails.
var serverBinaries = []string{"initdb", "pg_ctl", "postgres"}

// debianRoot is where Debian and Ubuntu install versioned server binaries,
// which are not on PATH by default.
const debianRoot = "/usr/lib/postgresql"

// findBinDir returns the first directory holding every server binary: the
// directories of pathEnv in order, then <root>/<version>/bin newest version
// first. An empty result means none qualifies.
func findBinDir(pathEnv, root string) string {
	candidates := filepath.SplitList(pathEnv)
	candidates = append(candidates, versionedBinDirs(root)...)
	for _, dir := range candidates {
		if dir != "" && hasServerBinaries(dir) {
			return dir
		}
	}
	return ""
}

// versionedBinDirs lists <root>/<version>/bin, newest version first.
func versionedBinDirs(root string) []string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	slices.SortFunc(versions, func(a, b string) int { return compareVersions(b, a) })
	dirs := make([]string, 0, len(versions))
	for _, v := range versions {
		dirs = append(dirs, filepath.Join(root, v, "bin"))
	}
	return dirs
}

// compareVersions orders dotted version strings numerically ("9.6" < "15"),
// falling back to string order for parts that are not numbers.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(as), len(bs)) {
		an, aErr := strconv.Atoi(as[i])
		bn, bErr := strconv.Atoi(bs[i])
		var c int
		if aErr == nil && bErr == nil {
			c = an - bn
		} else {
			c = strings.Compare(as[i], bs[i])
		}
		if c != 0 {
			return c
		}
	}
	return len(as) - len(bs)
}

func hasServerBinaries(dir string) bool {
	for _, name := range serverBinaries {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}
