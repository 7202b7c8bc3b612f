package health

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// maxSummaryEntries bounds how many exchanges a summary names: enough
	// to show a pattern (every probe refused), short enough for an alert.
	maxSummaryEntries = 3
	// maxSummaryBytes bounds a summary whatever the provider put in its
	// error fields.
	maxSummaryBytes = 300
)

// summarize describes, in one short line, the refusals in evidence that
// bear on capability c, for example
// "POST /oauth/token: 401 invalid_client". When none bears on c it falls
// back to every refusal, so that an incident never lacks a reason merely
// because an adapter labelled an exchange unexpectedly. Evidence is
// secret-free by contract, and only its call, scope, status and error
// codes are used, never the provider's free text.
func summarize(evidence []Evidence, c Capability) string {
	lines := describeDenials(evidence, func(ev Evidence) bool { return bearsOn(ev, c) })
	if len(lines) == 0 {
		lines = describeDenials(evidence, func(Evidence) bool { return true })
	}
	extra := len(lines) - maxSummaryEntries
	if extra > 0 {
		lines = append(lines[:maxSummaryEntries], "and "+strconv.Itoa(extra)+" more")
	}
	return truncate(strings.Join(lines, "; "), maxSummaryBytes)
}

// describeDenials describes each distinct refusal that keep accepts, in
// the order the exchanges were made.
func describeDenials(evidence []Evidence, keep func(Evidence) bool) []string {
	var lines []string
	for _, ev := range evidence {
		if ev.Outcome != OutcomeDenied || !keep(ev) {
			continue
		}
		if line := describe(ev); !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
	}
	return lines
}

// bearsOn reports whether an exchange is evidence about capability c: token
// requests for everything scope-less, scoped exchanges for their scope's
// capability, and all of them for the application, whose reachability is
// judged from every probe.
func bearsOn(ev Evidence, c Capability) bool {
	switch c {
	case CapabilityApplication:
		return true
	case CapabilityCredentials:
		return ev.Scope == ""
	}
	return ev.Scope != "" && CapabilityOf(ev.Scope) == c
}

// describe renders one exchange as "CALL [scope]: STATUS error codes".
func describe(ev Evidence) string {
	var b strings.Builder
	b.WriteString(cmp.Or(ev.Call, "request"))
	if ev.Scope != "" {
		b.WriteString(" [" + string(ev.Scope) + "]")
	}
	b.WriteString(":")
	if ev.Status != 0 {
		b.WriteString(" " + strconv.Itoa(ev.Status))
	}
	for _, code := range []string{ev.OAuthError, ev.APIError} {
		if code != "" {
			b.WriteString(" " + code)
		}
	}
	return b.String()
}

// truncate shortens s to at most n bytes without splitting a character,
// marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
