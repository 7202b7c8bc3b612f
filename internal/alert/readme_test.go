package alert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The README's receiver recipes are tested against what the sinks send:
// the Go one is this file's verify, which must appear in the README
// verbatim; the shell one is run as written.

// verify is the README's standard-library recipe, word for word.
func verify(secret []byte, header string, body []byte, now time.Time) bool {
	var ts string
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(unix, 0)).Abs() > 5*time.Minute {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	want := m.Sum(nil)
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// readme returns the repository's README.
func readme(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// codeBlock returns the first fenced block of lang in doc whose text
// contains marker.
func codeBlock(t *testing.T, doc, lang, marker string) string {
	t.Helper()
	for _, m := range regexp.MustCompile("(?s)```"+lang+"\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		if strings.Contains(m[1], marker) {
			return m[1]
		}
	}
	t.Fatalf("the README has no %s block containing %q", lang, marker)
	return ""
}

// signedBody is a real webhook body and its signature made at signedAt.
func signedBody(t *testing.T, secret string, signedAt time.Time) (body []byte, header string) {
	t.Helper()
	body, err := WebhookBody(goldenAlerts(t)["b_opened"])
	if err != nil {
		t.Fatal(err)
	}
	return body, Sign([]byte(secret), signedAt, body)
}

func TestReadmeGoRecipe(t *testing.T) {
	t.Parallel()
	self, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	src := string(self)
	start := strings.Index(src, "func verify(")
	end := start + strings.Index(src[start:], "\n}\n") + 3
	if got := codeBlock(t, readme(t), "go", "func verify("); got != src[start:end] {
		t.Errorf("the README's Go recipe differs from the tested one:\n%s", got)
	}

	const secret = "whsec-readme"
	body, header := signedBody(t, secret, t0)
	tests := []struct {
		name   string
		secret string
		body   []byte
		now    time.Time
		want   bool
	}{
		{"as sent", secret, body, t0.Add(time.Minute), true},
		{"changed body", secret, append([]byte(" "), body...), t0, false},
		{"wrong secret", "other", body, t0, false},
		{"stale", secret, body, t0.Add(5*time.Minute + time.Second), false},
	}
	for _, tt := range tests {
		if got := verify([]byte(tt.secret), header, tt.body, tt.now); got != tt.want {
			t.Errorf("%s: verify = %v, want %v", tt.name, got, tt.want)
		}
		// The package's own Verify must agree with the recipe.
		if got := Verify([]byte(tt.secret), header, tt.body, tt.now, 0) == nil; got != tt.want {
			t.Errorf("%s: Verify accepted = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReadmeShellRecipe(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	script := codeBlock(t, readme(t), "sh", "openssl dgst")
	const secret = "whsec-shell"
	now := time.Now()

	tests := []struct {
		name     string
		signedAt time.Time
		tamper   bool
		want     string
	}{
		{"as sent", now, false, "valid"},
		{"changed body", now, true, "bad signature"},
		{"stale", now.Add(-10 * time.Minute), false, "stale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, header := signedBody(t, secret, tt.signedAt)
			if tt.tamper {
				body = []byte(strings.Replace(string(body), "ICD-103-B", "ICD-103-A", 1))
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "body.json"), body, 0o600); err != nil {
				t.Fatal(err)
			}
			s := regexp.MustCompile(`(?m)^secret='…'`).ReplaceAllLiteralString(script, "secret='"+secret+"'")
			s = regexp.MustCompile(`(?m)^header='[^']*'`).ReplaceAllLiteralString(s, "header='"+header+"'")
			cmd := exec.CommandContext(t.Context(), "bash", "-c", s)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the recipe failed: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Errorf("the recipe says %q, want %q", got, tt.want)
			}
		})
	}
}
