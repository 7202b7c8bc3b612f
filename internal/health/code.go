package health

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// codePrefix starts every troubleshooting code; the capability's number
// (100 + its index in Capabilities) and the kind follow.
const codePrefix = "ICD-"

// firstCodeNumber is the number of the first capability's code (ICD-100).
const firstCodeNumber = 100

// ErrInvalidCode is wrapped by ParseCode's error for text that is not one of
// the ten codes.
var ErrInvalidCode = errors.New("not a troubleshooting code (want ICD-100-A … ICD-104-B)")

// CodeFor returns the code of a capability in the given kind, for example
// (CapabilityUsers, KindB) → "ICD-102-B". It returns "" for an unknown
// capability or kind.
func CodeFor(c Capability, k Kind) Code {
	i := slices.Index(Capabilities, c)
	if i < 0 || (k != KindA && k != KindB) {
		return ""
	}
	return Code(codePrefix + strconv.Itoa(firstCodeNumber+i) + "-" + string(k))
}

// ParseCode reads a troubleshooting code. It ignores surrounding space and
// letter case, so that "icd-102-b" typed at a prompt works, and returns the
// canonical spelling ("ICD-102-B").
func ParseCode(s string) (Code, error) {
	c := Code(strings.ToUpper(strings.TrimSpace(s)))
	if c.Capability() == "" {
		// The input is echoed, shortened, because a code is never a secret
		// and seeing the typo is what helps.
		return "", fmt.Errorf("parsing code %.40q: %w", s, ErrInvalidCode)
	}
	return c, nil
}

// Capability returns the capability a code is about, or "" when the code is
// not one of the ten.
func (c Code) Capability() Capability {
	capability, _ := c.split()
	return capability
}

// Kind returns whether the code is an A (never granted) or a B (revoked)
// code, or "" when the code is not one of the ten.
func (c Code) Kind() Kind {
	_, k := c.split()
	return k
}

// Valid reports whether the code is one of the ten, spelled canonically.
func (c Code) Valid() bool { return c.Capability() != "" }

// split takes a canonical code apart; both results are empty when it is not
// one of the ten.
func (c Code) split() (Capability, Kind) {
	rest, ok := strings.CutPrefix(string(c), codePrefix)
	if !ok {
		return "", ""
	}
	num, kind, ok := strings.Cut(rest, "-")
	if !ok || (kind != string(KindA) && kind != string(KindB)) || len(num) != 3 {
		return "", ""
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < firstCodeNumber || n >= firstCodeNumber+len(Capabilities) {
		return "", ""
	}
	return Capabilities[n-firstCodeNumber], Kind(kind)
}

// other returns the opposite kind: B for A and A for B.
func (k Kind) other() Kind {
	if k == KindA {
		return KindB
	}
	return KindA
}
