package localpg

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// unprivilegedUsers are tried in order when running as root, because initdb
// and pg_ctl refuse to run as root.
var unprivilegedUsers = []string{"postgres", "nobody"}

// runAs says which user the PostgreSQL binaries run as. A nil credential
// means the current user.
type runAs struct {
	name string
	cred *syscall.Credential
}

// serverUser returns the current user unless the process is root, in which
// case it picks the first existing unprivileged user.
func serverUser() (runAs, error) {
	if os.Geteuid() != 0 {
		return runAs{name: "current user"}, nil
	}
	for _, name := range unprivilegedUsers {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err := strconv.ParseUint(u.Uid, 10, 32)
		if err != nil {
			return runAs{}, fmt.Errorf("parsing uid of user %s: %w", name, err)
		}
		gid, err := strconv.ParseUint(u.Gid, 10, 32)
		if err != nil {
			return runAs{}, fmt.Errorf("parsing gid of user %s: %w", name, err)
		}
		return runAs{name: name, cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
	}
	return runAs{}, fmt.Errorf("running as root, and none of the users %v exists to run PostgreSQL as", unprivilegedUsers)
}

// chown hands path to the server user so initdb can create the data
// directory inside it; a no-op when running as the current user.
func (r runAs) chown(path string) error {
	if r.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(r.cred.Uid), int(r.cred.Gid)); err != nil {
		return fmt.Errorf("handing %s to user %s: %w", path, r.name, err)
	}
	return nil
}
