package health

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// seedPath is the troubleshooting page the catalog is transcribed from,
// relative to this package's directory.
const seedPath = "../../../shared/seeds/000_cfa85bf5563ab478.txt"

// pageSection is one code's part of the troubleshooting page.
type pageSection struct {
	code    Code
	message string
	lines   []string // the remedy: every non-blank line after the heading, bullets stripped
}

// headingRE matches a code's heading line: "ICD-102-B: message".
var headingRE = regexp.MustCompile(`^(ICD-\d{3}-[A-Z]): (.+)$`)

// readPage parses the troubleshooting page into its code sections, in page
// order. Whitespace is normalised and bullets are dropped; nothing else.
func readPage(t *testing.T) []pageSection {
	t.Helper()
	raw, err := os.ReadFile(seedPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("troubleshooting page %s is absent", seedPath)
	}
	if err != nil {
		t.Fatalf("reading troubleshooting page: %v", err)
	}
	var sections []pageSection
	for line := range strings.Lines(string(raw)) {
		line = normalise(strings.TrimLeft(strings.TrimSpace(line), "• "))
		if line == "" {
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil {
			sections = append(sections, pageSection{code: Code(m[1]), message: m[2]})
			continue
		}
		if len(sections) > 0 { // lines before the first code are the page's preamble
			last := &sections[len(sections)-1]
			last.lines = append(last.lines, line)
		}
	}
	if len(sections) == 0 {
		t.Fatalf("no ICD code found on %s", seedPath)
	}
	return sections
}

// normalise collapses every run of whitespace into one space.
func normalise(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestCatalogMatchesTroubleshootingPage(t *testing.T) {
	t.Parallel()
	page := readPage(t)
	catalog := Catalog()

	var pageCodes, catalogCodes []Code
	for _, s := range page {
		pageCodes = append(pageCodes, s.code)
	}
	for _, info := range catalog {
		catalogCodes = append(catalogCodes, info.Code)
	}
	// Equal lists in page order prove both directions (every code on the
	// page is in the catalog, the catalog invents none) and the order.
	if !slices.Equal(pageCodes, catalogCodes) {
		t.Fatalf("catalog codes = %v, page codes = %v", catalogCodes, pageCodes)
	}

	for i, s := range page {
		info := catalog[i]
		t.Run(string(s.code), func(t *testing.T) {
			t.Parallel()
			if got := normalise(info.Message); got != s.message {
				t.Errorf("Message:\n got  %q\n page %q", got, s.message)
			}
			for _, line := range info.Remedy {
				if !slices.Contains(s.lines, normalise(line)) {
					t.Errorf("remedy line %q is not in the page's section for %s", line, s.code)
				}
			}
			// Beyond each line being on the page, the remedy is the whole
			// section in order: nothing dropped, nothing reordered.
			var remedy []string
			for _, line := range info.Remedy {
				remedy = append(remedy, normalise(line))
			}
			if !slices.Equal(remedy, s.lines) {
				t.Errorf("Remedy:\n got  %q\n page %q", remedy, s.lines)
			}
		})
	}
}

func TestCatalogEntries(t *testing.T) {
	t.Parallel()
	catalog := Catalog()
	if len(catalog) != 2*len(Capabilities) {
		t.Fatalf("catalog has %d entries, want %d", len(catalog), 2*len(Capabilities))
	}
	titles := map[string]Code{}
	for i, info := range catalog {
		c, k := Capabilities[i/2], []Kind{KindA, KindB}[i%2]
		if info.Code != CodeFor(c, k) || info.Capability != c || info.Kind != k {
			t.Errorf("entry %d = %s (%s, %s), want %s (%s, %s)", i, info.Code, info.Capability, info.Kind, CodeFor(c, k), c, k)
		}
		if !slices.Equal(info.Scopes, ScopesOf(c)) {
			t.Errorf("%s: Scopes = %v, want %v", info.Code, info.Scopes, ScopesOf(c))
		}
		if info.Title == "" || info.Message == "" || len(info.Remedy) == 0 {
			t.Errorf("%s: empty title, message or remedy: %+v", info.Code, info)
		}
		if prev, dup := titles[info.Title]; dup {
			t.Errorf("%s and %s share the title %q", prev, info.Code, info.Title)
		}
		titles[info.Title] = info.Code
	}
}

func TestCatalogReturnsACopy(t *testing.T) {
	t.Parallel()
	first := Catalog()
	first[0].Message = "changed"
	first[0].Remedy[0] = "changed"
	first[4].Scopes[0] = "changed"
	if second := Catalog(); reflect.DeepEqual(first, second) {
		t.Fatal("changing one Catalog result changed the next")
	}
	info, _ := Lookup("ICD-100-A")
	if info.Message == "changed" || info.Remedy[0] == "changed" {
		t.Fatal("changing a Catalog result changed Lookup's")
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	for _, want := range Catalog() {
		got, ok := Lookup(want.Code)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("Lookup(%s) = %+v, %v; want the catalog entry", want.Code, got, ok)
		}
	}
	for _, c := range []Code{"", "ICD-105-A", "ICD-102-C", "icd-102-b"} {
		if got, ok := Lookup(c); ok {
			t.Errorf("Lookup(%q) = %+v, want none", c, got)
		}
	}
}
