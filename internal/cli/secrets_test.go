package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/eventually"
	"github.com/grantwatch/grantwatch/internal/health"
)

// TestNoSecretAnywhere seals known client secrets (one right, one wrong,
// one rotated away), drives successes and failures through `worker run`
// with debug logging and through every read command, then searches
// everything produced: every log line, every command's output, and every
// text column of every table, River's job args included.
func TestNoSecretAnywhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.setenv("LOG_LEVEL", "debug")
	good := h.addCompany("good", allScopes, true)
	scopeless := h.addCompany("scopeless", without(allScopes, health.ScopeReadUsers), true)
	wrong := h.addCompany("wrong", allScopes, true)
	wrongSecret := "known-wrong-secret-" + randomSuffix()
	oldSecret := "known-old-secret-" + randomSuffix()

	// good starts with a secret that is then rotated to the right one;
	// scopeless works but lacks a scope (ICD-102-A); wrong never works
	// (ICD-100-A).
	h.addTenant(good, oldSecret)
	h.mustRun(good.secret+"\n", "tenant", "rotate", good.ext, "--client-secret-stdin")
	h.addTenant(scopeless, scopeless.secret)
	h.addTenant(wrong, wrongSecret)

	r := h.startReplica("secrets", map[string]string{"GRANTWATCH_SCHEDULE_EVERY": "1s"})
	db := h.pool()
	eventually.True(t, 30*time.Second, "every tenant verified by the worker", func() (bool, string) {
		n := h.count(db, `SELECT count(DISTINCT tenant_id) FROM checks`)
		return n == 3, fmt.Sprintf("tenants checked: %d", n)
	})
	var outputs []string
	for _, args := range [][]string{
		{"check", good.ext, "--json"}, {"check", wrong.ext}, {"check", scopeless.ext, "--json"},
		{"status", good.ext, "--json"}, {"status", wrong.ext}, {"history", "--json"}, {"history"},
		{"tenant", "list", "--json"}, {"tenant", "show", good.ext, "--json"}, {"tenant", "show", wrong.ext},
	} {
		out, errOut, _ := h.run("", args...)
		outputs = append(outputs, out, errOut)
	}
	r.stop(t)
	outputs = append(outputs, r.out.String())

	// Every text-like column of every table.
	rows, err := db.Query(t.Context(), `
		SELECT table_schema || '.' || table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('text', 'jsonb', 'json', 'character varying', 'bytea')`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, column string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.column); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 10 {
		t.Fatalf("only %d text columns found: the query is wrong", len(cols))
	}
	for _, c := range cols {
		var dump string
		q := `SELECT coalesce(string_agg(encode(convert_to(` + c.column + `::text, 'UTF8'), 'escape'), ' '), '') FROM ` + c.table
		if err := db.QueryRow(t.Context(), q).Scan(&dump); err != nil {
			t.Fatalf("%s.%s: %v", c.table, c.column, err)
		}
		outputs = append(outputs, dump)
	}

	all := strings.Join(outputs, "\n")
	if !strings.Contains(all, "ICD-100-A") || !strings.Contains(all, "ICD-102-A") {
		t.Fatalf("the failures did not happen; nothing was tested:\n%.2000s", all)
	}
	if !strings.Contains(r.out.String(), `"level":"debug"`) && !strings.Contains(r.out.String(), `"level":"info"`) {
		t.Fatalf("no worker logs captured")
	}
	for _, s := range []string{good.secret, scopeless.secret, wrong.secret, wrongSecret, oldSecret} {
		if strings.Contains(all, s) {
			i := strings.Index(all, s)
			t.Errorf("secret %q found: …%s…", s, all[max(0, i-200):min(len(all), i+len(s)+50)])
		}
	}
}
