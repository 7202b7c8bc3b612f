package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
)

// Slack's limits on block text, in characters; longer text makes Slack
// reject the whole message.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackFieldMax   = 2000
	// slackEvidenceMax keeps the evidence line short enough to read at a
	// glance; the full summary is in the API.
	slackEvidenceMax = 500
)

// slackMessage is an incoming-webhook message: Text is the notification
// and fallback text, Blocks the rich layout.
type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// slackBlock is one Block Kit block; only the fields the block's type uses
// are set.
type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

// slackText is a Block Kit text object.
type slackText struct {
	Type  string `json:"type"` // "plain_text" or "mrkdwn"
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

// SlackBody returns the JSON body posted to Slack incoming webhooks: a
// header naming the code and what happened, the catalog's message, the
// tenant, scopes and severity, the remedy as steps (firing alerts only),
// and the evidence, time and link as context.
func SlackBody(a Alert) ([]byte, error) {
	// The header is plain text, shown as is; the notification text is
	// mrkdwn and so escaped.
	headline := slackHeadline(a)
	blocks := []slackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: clip(headline, slackHeaderMax), Emoji: true}},
		{Type: "section", Text: mrkdwn(clip(slackSummary(a), slackSectionMax))},
	}
	if fields := slackFields(a); len(fields) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Fields: fields})
	}
	if a.Firing() && len(a.Remedy) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Text: mrkdwn(clip(slackRemedy(a.Remedy), slackSectionMax))})
	}
	blocks = append(blocks, slackBlock{Type: "context", Elements: slackContext(a)})

	body, err := marshal(slackMessage{Text: escapeSlack(headline), Blocks: blocks})
	if err != nil {
		return nil, fmt.Errorf("encoding Slack body for event %d: %w", a.EventID, err)
	}
	return body, nil
}

// slackHeadline is the one line a notification shows: state, code, title
// and tenant.
func slackHeadline(a Alert) string {
	var b strings.Builder
	switch {
	case a.Test:
		b.WriteString(":information_source: ")
	case !a.Firing():
		b.WriteString(":white_check_mark: Resolved: ")
	case a.Severity == health.SeverityCritical:
		b.WriteString(":red_circle: ")
	default:
		b.WriteString(":warning: ")
	}
	if a.Code != "" {
		b.WriteString(string(a.Code))
		b.WriteString(" ")
	}
	b.WriteString(a.Title)
	if a.Tenant != "" {
		b.WriteString(" for ")
		b.WriteString(tenantLabel(a))
	}
	return b.String()
}

// slackSummary says what happened: the catalog's message, preceded on a
// resolved alert by the news that it is over.
func slackSummary(a Alert) string {
	msg := escapeSlack(a.Message)
	if a.Firing() {
		return msg
	}
	return "*Resolved:* the latest check no longer shows this problem.\n>" + msg
}

// slackRemedy renders the catalog's remedy: its first entry explains the
// problem and introduces the steps, so it is a sentence and the rest are
// bullets.
func slackRemedy(remedy []string) string {
	var b strings.Builder
	b.WriteString("*What to do*\n")
	b.WriteString(escapeSlack(remedy[0]))
	for _, step := range remedy[1:] {
		b.WriteString("\n• ")
		b.WriteString(escapeSlack(step))
	}
	return b.String()
}

// slackFields lists the tenant, code, severity and scopes side by side.
func slackFields(a Alert) []slackText {
	var fields []slackText
	add := func(label, value string) {
		if value != "" {
			fields = append(fields, mrkdwnField(label, value))
		}
	}
	tenant := escapeSlack(a.Tenant)
	if a.TenantName != "" && a.TenantName != a.Tenant {
		tenant = escapeSlack(a.TenantName) + " (`" + tenant + "`)"
	}
	add("Tenant", tenant)
	add("Code", string(a.Code))
	add("Severity", string(a.Severity))
	if len(a.Scopes) > 0 {
		names := make([]string, len(a.Scopes))
		for i, s := range a.Scopes {
			names[i] = "`" + string(s) + "`"
		}
		add("Scopes", strings.Join(names, ", "))
	}
	return fields
}

// slackContext holds the small print: evidence, when, and the link.
func slackContext(a Alert) []slackText {
	var elems []slackText
	if a.Evidence != "" {
		elems = append(elems, *mrkdwn("Evidence: " + escapeSlack(clip(a.Evidence, slackEvidenceMax))))
	}
	when := "Occurred " + slackDate(a.OccurredAt)
	if !a.OpenedAt.IsZero() && !a.OpenedAt.Equal(a.OccurredAt) {
		when = "Opened " + slackDate(a.OpenedAt) + " · " + when
	}
	if a.Reminder > 0 {
		when += fmt.Sprintf(" · reminder %d", a.Reminder)
	}
	elems = append(elems, *mrkdwn(when))
	if a.Link != "" {
		elems = append(elems, *mrkdwn("<" + a.Link + "|Incidents in grantwatch>"))
	}
	return elems
}

// slackDate renders a time in each reader's own time zone, with UTC as the
// fallback for clients that cannot.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format(time.RFC3339))
}

// tenantLabel names the tenant for a headline: its name when known, else its
// external id.
func tenantLabel(a Alert) string {
	if a.TenantName != "" {
		return a.TenantName
	}
	return a.Tenant
}

func mrkdwn(s string) *slackText { return &slackText{Type: "mrkdwn", Text: s} }

func mrkdwnField(label, value string) slackText {
	return slackText{Type: "mrkdwn", Text: clip("*"+label+"*\n"+value, slackFieldMax)}
}

// escapeSlack escapes the three characters Slack's mrkdwn gives meaning to,
// so that a tenant name or provider message cannot inject a mention or link.
func escapeSlack(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip shortens s to at most n characters (runes), ending in an ellipsis
// when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
