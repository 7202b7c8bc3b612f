package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// IO is the command's standard streams.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Exit statuses: 0 success, 1 failure, 2 bad usage.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// usageError marks an error as the caller's mistake (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{msg: fmt.Sprintf(format, args...)} }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// env is what every command receives: streams and the process environment.
type env struct {
	io     IO
	getenv func(string) string
}

func commands() []command {
	return []command{
		{"migrate", "apply grantwatch's and River's database migrations (safe to run from several replicas)", runMigrate},
		{"run", "run the worker: River jobs plus HTTP (/livez, /readyz, /metrics; /v1/ and /riverui/ with GRANTWATCH_API_TOKEN)", runWorker},
		{"tenant", "add, list, show, rotate, pause, resume or remove tenants", runTenant},
		{"check", "verify one tenant now, persist the result and print the verdict", runCheck},
		{"status", "a tenant's open and suspected codes and each scope's state", runStatus},
		{"history", "incident history, newest first", runHistory},
		{"alert", "alert tools: `alert test` sends a marked test alert through every sink", runAlert},
		{"reseal", "re-seal every stored client secret under the primary key of GRANTWATCH_SECRET_KEYS", runReseal},
		{"sim", "serve the simulated Ironclad with a ready-made demo company", runSim},
		{"demo", "a scripted story on a throwaway database: A and B codes, an alert, the history", runDemo},
		{"bench", "measure one replica's checks per second and memory against the simulated Ironclad", runBench},
	}
}

// Main runs the worker with the given arguments (without the program name)
// and returns the process exit status. Every error is printed as one line on
// stderr.
func Main(ctx context.Context, args []string, stdio IO, getenv func(string) string) int {
	e := &env{io: stdio, getenv: getenv}
	if len(args) == 0 {
		printUsage(stdio.Stderr)
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdio.Stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		return report(stdio.Stderr, c.name, err)
	}
	fmt.Fprintf(stdio.Stderr, "worker: unknown command %q (run `worker help`)\n", args[0])
	return exitUsage
}

func report(stderr io.Writer, name string, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	// One line, whatever the error wraps (pgx, for one, spreads its
	// connection errors over several indented lines).
	var parts []string
	for line := range strings.Lines(err.Error()) {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			parts = append(parts, line)
		}
	}
	msg := strings.Join(parts, "; ")
	fmt.Fprintf(stderr, "worker %s: %s\n", name, msg)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFail
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: worker <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run `worker <command> -h` for a command's flags. Configuration comes from the")
	fmt.Fprintln(w, "environment (see the README); flags override it.")
}

// newFlagSet returns a flag set that reports errors instead of exiting or
// printing: report prints them as one line. -h prints the usage to stdout.
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	help := func(string) error {
		fmt.Fprintf(e.io.Stdout, "usage: worker %s\n", synopsis)
		fs.SetOutput(e.io.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		return flag.ErrHelp
	}
	fs.BoolFunc("h", "show this help", help)
	fs.BoolFunc("help", "show this help", help)
	return fs
}

// parseFlags parses args, allowing flags after positional arguments
// (`worker check acme --json`), and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) || strings.HasSuffix(err.Error(), flag.ErrHelp.Error()) {
				return nil, flag.ErrHelp
			}
			return nil, usageError{msg: err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
