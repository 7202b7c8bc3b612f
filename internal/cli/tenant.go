package cli

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/grantwatch/grantwatch/internal/ironclad"
	"github.com/grantwatch/grantwatch/internal/jobs"
	"github.com/grantwatch/grantwatch/internal/postgres"
	"github.com/grantwatch/grantwatch/internal/secret"
	"github.com/grantwatch/grantwatch/internal/view"
)

const tenantUsage = `tenant <add|list|show|rotate|pause|resume|remove> …
  add     --external-id ID (--region na1|eu1|demo | --base-url URL) --client-id ID --acting-user-email EMAIL
          (--client-secret-stdin | --client-secret-file PATH) [--interval 15m] [--name NAME] [--if-absent]
  list    [--all] [--json]
  show    ID [--json]
  rotate  ID (--client-secret-stdin | --client-secret-file PATH) [--client-id NEW]
  pause   ID
  resume  ID
  remove  ID`

func runTenant(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("usage: worker %s", strings.ReplaceAll(tenantUsage, "\n", " "))
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "add":
		return tenantAdd(ctx, e, rest)
	case "list":
		return tenantList(ctx, e, rest)
	case "show":
		return tenantShow(ctx, e, rest)
	case "rotate":
		return tenantRotate(ctx, e, rest)
	case "pause", "resume":
		return tenantPause(ctx, e, rest, sub == "pause")
	case "remove":
		return tenantRemove(ctx, e, rest)
	case "-h", "--help", "help":
		fmt.Fprintf(e.io.Stdout, "usage: worker %s\n", tenantUsage)
		return nil
	}
	return usagef("unknown tenant command %q (add, list, show, rotate, pause, resume, remove)", sub)
}

// secretFlags are the two ways to hand over a client secret. A flag with the
// value itself is deliberately absent: it would land in shell history and
// in every process listing.
type secretFlags struct {
	stdin bool
	file  string
}

func (s *secretFlags) register(fs interface {
	BoolVar(*bool, string, bool, string)
	StringVar(*string, string, string, string)
}) {
	fs.BoolVar(&s.stdin, "client-secret-stdin", false, "read the client secret from standard input (one line)")
	fs.StringVar(&s.file, "client-secret-file", "", "read the client secret from this file")
}

func (s *secretFlags) read(e *env) (secret.Secret, error) {
	var raw string
	switch {
	case s.stdin && s.file != "":
		return secret.Secret{}, usagef("give the client secret once: --client-secret-stdin or --client-secret-file, not both")
	case s.stdin:
		line, err := bufio.NewReader(io.LimitReader(e.io.Stdin, 64<<10)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return secret.Secret{}, fmt.Errorf("reading the client secret from stdin: %w", err)
		}
		raw = line
	case s.file != "":
		b, err := readFile(s.file)
		if err != nil {
			return secret.Secret{}, fmt.Errorf("reading the client secret file: %w", err)
		}
		raw = string(b)
	default:
		return secret.Secret{}, usagef("the client secret is required: --client-secret-stdin or --client-secret-file (never as a flag value)")
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return secret.Secret{}, usagef("the client secret is empty")
	}
	return secret.New(raw), nil
}

// sealSecret seals a tenant's client secret, bound to its external id (see
// jobs.SecretAAD), so that the sealed value unseals for that tenant only.
func sealSecret(kr *secret.Keyring, s secret.Secret, ext string) (secret.Sealed, error) {
	sealed, err := kr.Seal(s, jobs.SecretAAD(ext))
	if err != nil {
		return secret.Sealed{}, fmt.Errorf("sealing the client secret of tenant %s: %w", ext, err)
	}
	return sealed, nil
}

// readFile reads a small file (secrets, configuration).
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 1<<20))
}

func tenantAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "tenant add", "tenant add --external-id ID (--region R | --base-url URL) --client-id ID --acting-user-email EMAIL (--client-secret-stdin | --client-secret-file PATH) [--interval D] [--name NAME] [--if-absent]")
	ext := fs.String("external-id", "", "the tenant's id in your product (required, unique)")
	name := fs.String("name", "", "display name (default: the external id)")
	region := fs.String("region", "", "Ironclad region: na1, eu1 or demo")
	baseURL := fs.String("base-url", "", "Ironclad base URL instead of a region; must start with an entry of GRANTWATCH_ALLOW_BASE_URLS")
	clientID := fs.String("client-id", "", "the Ironclad application's OAuth client id (required)")
	email := fs.String("acting-user-email", "", "the Ironclad administrator to act as (x-as-user-email) (required)")
	interval := fs.Duration("interval", 0, "how often to re-verify (default $GRANTWATCH_DEFAULT_INTERVAL or 15m)")
	ifAbsent := fs.Bool("if-absent", false, "succeed without changes when the external id already exists (for seeding scripts)")
	var sf secretFlags
	sf.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("tenant add takes no positional arguments (got %q)", pos[0])
	}
	var missing []string
	for flagName, v := range map[string]string{"--external-id": *ext, "--client-id": *clientID, "--acting-user-email": *email} {
		if v == "" {
			missing = append(missing, flagName)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return usagef("missing %s", strings.Join(missing, ", "))
	}
	if (*region == "") == (*baseURL == "") {
		return usagef("give exactly one of --region (na1, eu1, demo) or --base-url")
	}
	sec, err := sf.read(e)
	if err != nil {
		return err
	}
	d, err := openDeps(ctx, e, depsOptions{keyring: true})
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := ironclad.ResolveBaseURL(*region, *baseURL, d.allow); err != nil {
		return usageError{msg: err.Error()}
	}
	if *interval == 0 {
		*interval = d.cfg.DefaultInterval
	}
	sealed, err := sealSecret(d.keyring, sec, *ext)
	if err != nil {
		return err
	}
	t, err := d.store.CreateTenant(ctx, postgres.NewTenant{
		ExternalID: *ext, Name: cmp.Or(*name, *ext), Region: *region, BaseURL: *baseURL,
		ClientID: *clientID, Secret: sealed, ActingUserEmail: *email, CheckInterval: *interval,
	})
	if errors.Is(err, postgres.ErrConflict) && *ifAbsent {
		fmt.Fprintf(e.io.Stdout, "tenant %s already exists; left unchanged\n", *ext)
		return nil
	}
	if err != nil {
		return storeErr(err, *ext)
	}
	fmt.Fprintf(e.io.Stdout, "tenant %s added (id %d); first check is due now, every %s after that\n", t.ExternalID, t.ID, t.CheckInterval)
	return nil
}

func tenantList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "tenant list", "tenant list [--all] [--json]")
	all := fs.Bool("all", false, "include removed tenants")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := openDeps(ctx, e, depsOptions{})
	if err != nil {
		return err
	}
	defer d.Close()
	const pageSize = 500
	var out []view.Tenant
	var after int64
	for {
		page, err := d.store.ListTenants(ctx, postgres.ListFilter{IncludeRemoved: *all, Limit: pageSize, AfterID: after})
		if err != nil {
			return err
		}
		for _, t := range page {
			out = append(out, view.NewTenant(t))
		}
		if len(page) < pageSize {
			break
		}
		after = page[len(page)-1].ID
	}
	if *asJSON {
		return writeJSON(e.io.Stdout, view.List(out))
	}
	tw := tabwriter.NewWriter(e.io.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EXTERNAL ID\tNAME\tENDPOINT\tCLIENT ID\tINTERVAL\tNEXT CHECK\tSTATE")
	for _, t := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ExternalID, t.Name, t.Endpoint, t.ClientID, t.Interval, t.NextCheckAt.Format(time.RFC3339), t.State)
	}
	return tw.Flush()
}

func tenantShow(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "tenant show", "tenant show ID [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	return forTenant(ctx, e, fs, args, depsOptions{}, func(d *deps, ext string) error {
		t, err := d.store.TenantByExternalID(ctx, ext)
		if err != nil {
			return storeErr(err, ext)
		}
		j := view.NewTenant(t)
		if *asJSON {
			return writeJSON(e.io.Stdout, j)
		}
		tw := tabwriter.NewWriter(e.io.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "external id\t%s\nname\t%s\nendpoint\t%s\nclient id\t%s\nacting user\t%s\ngeneration\t%d\ninterval\t%s\nnext check\t%s\nstate\t%s\nclient secret\tsealed with key %s\n",
			j.ExternalID, j.Name, j.Endpoint, j.ClientID, j.ActingUserEmail, j.Generation, j.Interval, j.NextCheckAt.Format(time.RFC3339), j.State, j.SecretKeyID)
		return tw.Flush()
	})
}

func tenantRotate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "tenant rotate", "tenant rotate ID (--client-secret-stdin | --client-secret-file PATH) [--client-id NEW]")
	clientID := fs.String("client-id", "", "a new client id (a new Ironclad application); default keeps the current one")
	var sf secretFlags
	sf.register(fs)
	return forTenant(ctx, e, fs, args, depsOptions{keyring: true}, func(d *deps, ext string) error {
		sec, err := sf.read(e)
		if err != nil {
			return err
		}
		sealed, err := sealSecret(d.keyring, sec, ext)
		if err != nil {
			return err
		}
		t, err := d.store.RotateCredentials(ctx, ext, *clientID, sealed)
		if err != nil {
			return storeErr(err, ext)
		}
		fmt.Fprintf(e.io.Stdout, "tenant %s: credentials rotated (generation %d); a check is due now\n", t.ExternalID, t.Generation)
		return nil
	})
}

func tenantPause(ctx context.Context, e *env, args []string, pause bool) error {
	verb := map[bool]string{true: "pause", false: "resume"}[pause]
	fs := newFlagSet(e, "tenant "+verb, "tenant "+verb+" ID")
	return forTenant(ctx, e, fs, args, depsOptions{}, func(d *deps, ext string) error {
		if _, err := d.store.SetPaused(ctx, ext, pause); err != nil {
			return storeErr(err, ext)
		}
		fmt.Fprintf(e.io.Stdout, "tenant %s %sd\n", ext, verb)
		return nil
	})
}

func tenantRemove(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "tenant remove", "tenant remove ID")
	return forTenant(ctx, e, fs, args, depsOptions{}, func(d *deps, ext string) error {
		if err := d.store.RemoveTenant(ctx, ext); err != nil {
			return storeErr(err, ext)
		}
		fmt.Fprintf(e.io.Stdout, "tenant %s removed; its history is kept\n", ext)
		return nil
	})
}

func onePositional(pos []string, cmd, name string) (string, error) {
	if len(pos) != 1 {
		return "", usagef("%s takes exactly one %s (got %d arguments)", cmd, name, len(pos))
	}
	return pos[0], nil
}

// forTenant runs a command that takes one tenant (its external id) as its
// only positional argument: it parses fs, opens the adapters and calls run.
func forTenant(ctx context.Context, e *env, fs *flag.FlagSet, args []string, opts depsOptions, run func(d *deps, ext string) error) error {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	ext, err := onePositional(pos, fs.Name(), "tenant ID")
	if err != nil {
		return err
	}
	d, err := openDeps(ctx, e, opts)
	if err != nil {
		return err
	}
	defer d.Close()
	return run(d, ext)
}

// storeErr turns the store's sentinel errors into one clear line.
func storeErr(err error, ext string) error {
	switch {
	case errors.Is(err, postgres.ErrNotFound):
		return fmt.Errorf("no tenant with external id %q", ext)
	case errors.Is(err, postgres.ErrConflict):
		return fmt.Errorf("a tenant with external id %q already exists", ext)
	case errors.Is(err, postgres.ErrInvalid):
		return usageError{msg: err.Error()}
	}
	return err
}
