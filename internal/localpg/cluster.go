package localpg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options configures Start.
type Options struct {
	// Log receives progress lines, the output of initdb and pg_ctl, and the
	// server log when the cluster stops. Nil discards all of it.
	Log io.Writer
	// BinDir, when set, is the only directory searched for initdb, pg_ctl
	// and postgres. By default Start searches PATH, then
	// /usr/lib/postgresql/<version>/bin newest version first.
	BinDir string
}

// Cluster is a throwaway PostgreSQL server started by Start. Its data lives
// in a temporary directory that Stop removes.
type Cluster struct {
	url     string
	dir     string // temporary directory: data, socket and server log
	dataDir string
	logFile string
	binDir  string
	user    runAs
	log     io.Writer
	stop    func() error
}

const (
	// superuser is the role initdb creates; fixing it keeps URLs the same
	// whichever OS user runs the server.
	superuser = "postgres"
	// startAttempts bounds retries when another process takes the free port
	// between choosing it and the server binding it.
	startAttempts = 3
	// serverTimeout bounds each pg_ctl start or stop and the wait for the
	// first connection when the caller's context has no earlier deadline.
	serverTimeout = 60 * time.Second
	// readyPoll is how often Start retries its first connection.
	readyPoll = 50 * time.Millisecond
)

// Start runs a throwaway cluster from the local PostgreSQL binaries and
// returns once it accepts connections. The cluster listens on a free
// localhost TCP port and on a unix socket in its temporary directory, trusts
// every local connection, and trades durability for speed (fsync,
// synchronous_commit and full_page_writes are off). When the process runs as
// root, the binaries run as the "postgres" user, or "nobody" if that does not
// exist, because initdb refuses to run as root.
//
// If no binaries are found the error wraps ErrNoBinaries. On any error
// nothing is left running and the temporary directory is gone.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	return startIn(ctx, opts, "")
}

// startIn is Start with the parent of the cluster directory as a parameter
// ("" for the system default) so tests can watch what is left behind.
func startIn(ctx context.Context, opts Options, parent string) (*Cluster, error) {
	binDir, err := locateBinaries(opts.BinDir)
	if err != nil {
		return nil, err
	}
	user, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, "localpg-")
	if err != nil {
		return nil, fmt.Errorf("creating cluster directory: %w", err)
	}
	c := &Cluster{
		dir:     dir,
		dataDir: filepath.Join(dir, "data"),
		logFile: filepath.Join(dir, "server.log"),
		binDir:  binDir,
		user:    user,
		log:     opts.Log,
	}
	if c.log == nil {
		c.log = io.Discard
	}
	c.stop = sync.OnceValue(c.shutdown)

	if err := c.start(ctx); err != nil {
		return nil, errors.Join(err, c.Stop())
	}
	return c, nil
}

// URL returns the superuser URL of the cluster's postgres database over TCP.
func (c *Cluster) URL() string { return c.url }

// Stop shuts the server down (pg_ctl stop -m fast) and removes its
// directory. It is safe to call more than once and from several goroutines;
// every call returns the first call's result.
func (c *Cluster) Stop() error { return c.stop() }

func locateBinaries(binDir string) (string, error) {
	if binDir != "" {
		if !hasServerBinaries(binDir) {
			return "", fmt.Errorf("looking in %s: %w", binDir, ErrNoBinaries)
		}
		return binDir, nil
	}
	dir := findBinDir(os.Getenv("PATH"), debianRoot)
	if dir == "" {
		return "", ErrNoBinaries
	}
	return dir, nil
}

func (c *Cluster) start(ctx context.Context) error {
	if err := c.user.chown(c.dir); err != nil {
		return err
	}
	c.progress("initdb in %s as %s using %s", c.dataDir, c.user.name, c.binDir)
	// --no-sync: the cluster is thrown away, so durability of initdb's
	// files is wasted time. --no-locale keeps the cluster independent of
	// whatever locales the machine has installed.
	if err := c.run(ctx, "initdb", "-D", c.dataDir, "-U", superuser, "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		return err
	}
	if err := c.writeConfig(); err != nil {
		return err
	}

	var errs []error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			return err
		}
		err = c.startServer(ctx, port)
		if err == nil {
			c.url = fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", superuser, port)
			c.progress("server started on 127.0.0.1:%d", port)
			return c.waitReady(ctx)
		}
		errs = append(errs, err)
		if !c.portTaken() {
			break
		}
		c.progress("port %d was taken before the server bound it; retrying", port)
	}
	return errors.Join(errs...)
}

// writeConfig appends the cluster's settings to postgresql.conf, where later
// lines win. The port is passed on the command line instead so a retry can
// change it.
func (c *Cluster) writeConfig() error {
	settings := []string{
		"listen_addresses = '127.0.0.1'",
		"unix_socket_directories = " + quoteConf(c.dir),
		// The cluster holds only test data: losing it in a crash costs
		// nothing, while syncing costs seconds per test suite.
		"fsync = off",
		"synchronous_commit = off",
		"full_page_writes = off",
		// Parallel tests each open pools; the default of 100 runs out.
		"max_connections = 200",
	}
	f, err := os.OpenFile(filepath.Join(c.dataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("opening postgresql.conf: %w", err)
	}
	_, werr := fmt.Fprintf(f, "\n# Added by localpg.\n%s\n", strings.Join(settings, "\n"))
	return errors.Join(wrapIf("writing postgresql.conf", werr), wrapIf("closing postgresql.conf", f.Close()))
}

func (c *Cluster) startServer(ctx context.Context, port int) error {
	// A fresh log per attempt lets portTaken look at this attempt only.
	if err := os.Remove(c.logFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing old server log: %w", err)
	}
	err := c.run(ctx, "pg_ctl", "start", "-D", c.dataDir, "-l", c.logFile, "-w",
		"-t", strconv.Itoa(int(serverTimeout.Seconds())), "-o", "-p "+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("%w\nserver log:\n%s", err, tail(c.readLog(), 10))
	}
	return nil
}

// portTaken reports whether the last start failed because the port was in use.
func (c *Cluster) portTaken() bool {
	return strings.Contains(string(c.readLog()), "Address already in use")
}

// waitReady waits until the server answers a query. pg_ctl -w already waits
// for the postmaster, so this normally succeeds at once; it makes the
// guarantee explicit and independent of pg_ctl's version.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, serverTimeout)
	defer cancel()
	ticker := time.NewTicker(readyPoll)
	defer ticker.Stop()
	for {
		err := ping(ctx, c.url)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the server to accept connections: %w", err)
		case <-ticker.C:
		}
	}
}

func (c *Cluster) shutdown() error {
	var errs []error
	// Without a pid file no server runs (Start failed before starting it),
	// and pg_ctl stop would only complain.
	if _, err := os.Stat(filepath.Join(c.dataDir, "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), serverTimeout)
		defer cancel()
		if err := c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir, "-m", "fast", "-w",
			"-t", strconv.Itoa(int(serverTimeout.Seconds()))); err != nil {
			errs = append(errs, err)
		}
	}
	if log := c.readLog(); len(log) > 0 {
		c.progress("server log:\n%s", log)
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, fmt.Errorf("removing cluster directory: %w", err))
	}
	return errors.Join(errs...)
}

// run executes one PostgreSQL binary as the server user, copying its output
// to the log and quoting the end of it in the error.
func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	// The caller's working directory may be unreadable for the server user.
	cmd.Dir = c.dir
	cmd.Stdout = io.MultiWriter(&out, c.log)
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.user.cred}
	// pg_ctl start hands its output files to the server it launches only
	// through -l, but should that ever change, do not wait on the pipe for
	// the server's lifetime.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("running %s: %w\n%s", commandLabel(name, args), err, tail(out.Bytes(), 10))
	}
	return nil
}

func (c *Cluster) readLog() []byte {
	b, _ := os.ReadFile(c.logFile) // A missing log just means nothing to show.
	return b
}

func (c *Cluster) progress(format string, args ...any) {
	fmt.Fprintf(c.log, "localpg: "+format+"\n", args...)
}

// freePort asks the kernel for an unused localhost TCP port. The port is
// released before the server binds it, hence the retry in start.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("releasing port %d: %w", port, err)
	}
	return port, nil
}

// commandLabel names a command in errors: the binary plus its subcommand
// (pg_ctl start), without paths or options.
func commandLabel(name string, args []string) string {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return name + " " + args[0]
	}
	return name
}

// quoteConf quotes a string value for postgresql.conf.
func quoteConf(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// tail returns the last n lines of b, trimmed.
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func wrapIf(msg string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", msg, err)
}
