package ironcladsim

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// specDir holds Ironclad's published OpenAPI specs beside the repository.
// They are read at test time, never copied into the project.
const specDir = "../../../shared/ironclad-openapi"

// specFile is one OpenAPI YAML file as lines.
type specFile struct {
	name  string
	lines []string
}

// loadSpec reads a spec, skipping the test when the specs are not there.
func loadSpec(t *testing.T, name string) specFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(specDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("Ironclad's OpenAPI specs are not at %s", specDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return specFile{name: name, lines: strings.Split(string(b), "\n")}
}

// specSchema is what a small, targeted reading of one object schema yields.
type specSchema struct {
	at       string            // file:line of the schema's properties, for messages
	props    map[string]string // property → its type ("string", "integer", ..., "" when given by $ref/oneOf)
	examples map[string]string // property → its example, when it is a scalar
	required []string
	closed   bool // additionalProperties: false
}

// indent counts leading spaces.
func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// schema finds the object schema under a path of anchors. Each anchor is a
// whole trimmed line ("/userinfo:", "get:", "'200':") searched for inside
// the block of the previous one; the schema is the first "properties:" of
// the last anchor's block, with the "required:" list and
// "additionalProperties: false" at the same indentation.
//
// This is not a YAML parser: it relies on the specs' regular layout (two
// spaces per level, block lists written "- item" at the key's indentation),
// which is enough for the handful of schemas the simulator serves.
func (f specFile) schema(t *testing.T, anchors ...string) specSchema {
	t.Helper()
	from, to, level := 0, len(f.lines), -1
	for _, a := range anchors {
		found := -1
		for i := from; i < to; i++ {
			if strings.TrimSpace(f.lines[i]) == a && indent(f.lines[i]) > level {
				found = i
				break
			}
		}
		if found < 0 {
			t.Fatalf("%s: anchor %q of %q not found", f.name, a, anchors)
		}
		level = indent(f.lines[found])
		from, to = found+1, blockEnd(f.lines, found, to)
	}
	props := -1
	for i := from; i < to; i++ {
		if strings.TrimSpace(f.lines[i]) == "properties:" {
			props = i
			break
		}
	}
	if props < 0 {
		t.Fatalf("%s: no properties under %q", f.name, anchors)
	}
	p := indent(f.lines[props])
	s := specSchema{at: fmt.Sprintf("%s:%d", f.name, props+1), props: map[string]string{}, examples: map[string]string{}}
	for i := from; i < to; i++ {
		line, trimmed := f.lines[i], strings.TrimSpace(f.lines[i])
		switch {
		case indent(line) == p+2 && strings.HasSuffix(trimmed, ":") && i > props && i < blockEnd(f.lines, props, to):
			key := strings.TrimSuffix(trimmed, ":")
			s.props[key] = propertyField(f.lines, i, to, "type")
			if ex := propertyField(f.lines, i, to, "example"); ex != "" {
				s.examples[key] = strings.Trim(ex, "'")
			}
		case indent(line) == p && trimmed == "required:":
			for j := i + 1; j < to && indent(f.lines[j]) == p && strings.HasPrefix(strings.TrimSpace(f.lines[j]), "- "); j++ {
				s.required = append(s.required, strings.TrimPrefix(strings.TrimSpace(f.lines[j]), "- "))
			}
		case indent(line) == p && trimmed == "additionalProperties: false":
			s.closed = true
		}
	}
	return s
}

// blockEnd returns the index of the first line after start that is indented
// no deeper than start (blank lines do not end a block), or limit.
func blockEnd(lines []string, start, limit int) int {
	for i := start + 1; i < limit; i++ {
		if strings.TrimSpace(lines[i]) != "" && indent(lines[i]) <= indent(lines[start]) {
			return i
		}
	}
	return limit
}

// propertyField reads "field: value" directly under a property key, "" when
// it is absent.
func propertyField(lines []string, key, limit int, field string) string {
	want := indent(lines[key]) + 2
	for i := key + 1; i < blockEnd(lines, key, limit); i++ {
		if indent(lines[i]) == want {
			if v, ok := strings.CutPrefix(strings.TrimSpace(lines[i]), field+": "); ok {
				return v
			}
		}
	}
	return ""
}

// conforms reports how a decoded JSON object departs from the schema: a
// missing required property, a value of the wrong type, and (with strict, or
// when the schema is closed) a property the schema does not list.
func (s specSchema) conforms(body map[string]any, strict bool) []string {
	var problems []string
	for _, r := range s.required {
		if _, ok := body[r]; !ok {
			problems = append(problems, fmt.Sprintf("required %q missing (%s)", r, s.at))
		}
	}
	for k, v := range body {
		typ, listed := s.props[k]
		if !listed {
			if strict || s.closed {
				problems = append(problems, fmt.Sprintf("property %q is not in the schema (%s)", k, s.at))
			}
			continue
		}
		if typ != "" && !jsonIs(v, typ) {
			problems = append(problems, fmt.Sprintf("property %q = %v is not a JSON %s (%s)", k, v, typ, s.at))
		}
	}
	return problems
}

// jsonIs reports whether a decoded JSON value has the OpenAPI type.
func jsonIs(v any, typ string) bool {
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		n, ok := v.(float64)
		return ok && n == float64(int64(n))
	case "number":
		_, ok := v.(float64)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return true // a type this reading does not check
}

func TestSpecExtraction(t *testing.T) {
	t.Parallel()
	f := loadSpec(t, "ironclad-oauth-20-api-openapi.yml")
	s := f.schema(t, "ClientCredentialsGrantTokenResponse:")
	want := []string{"token_type", "access_token", "expires_in"}
	if fmt.Sprint(s.required) != fmt.Sprint(want) {
		t.Errorf("required %v, want %v", s.required, want)
	}
	if s.props["expires_in"] != "integer" || s.props["scope"] != "string" || len(s.props) != 4 {
		t.Errorf("props %v", s.props)
	}
	// company-info's 200 has a nested required list (entitlement entries)
	// before its own: only the top-level one may be read.
	ci := f.schema(t, "/company-info:", "get:", "'200':")
	if fmt.Sprint(ci.required) != "[companyId companyName companyDisplayName entitlements]" {
		t.Errorf("company-info required %v", ci.required)
	}
	if ci.props["entitlements"] != "object" || len(ci.props) != 4 {
		t.Errorf("company-info props %v", ci.props)
	}
	// And the checker itself must catch what it is for.
	bad := map[string]any{"token_type": "Bearer", "expires_in": 1.5, "surprise": true}
	if got := s.conforms(bad, true); len(got) != 3 {
		t.Errorf("conforms found %d problems in a bad body, want 3 (missing access_token, non-integer, extra): %v", len(got), got)
	}
}
