package alert

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/grantwatch/grantwatch/internal/secret"
)

// Secrets the configuration tests use; no error may contain any of them.
const (
	envSecret  = "s3cr3t-from-env"
	fileSecret = "s3cr3t-in-file"
	varSecret  = "s3cr3t-via-var"
)

// fakeEnv serves LoadConfig's getenv and readFile from maps.
type fakeEnv struct {
	vars  map[string]string
	files map[string]string
}

func (e fakeEnv) getenv(k string) string { return e.vars[k] }

func (e fakeEnv) readFile(name string) ([]byte, error) {
	data, ok := e.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return []byte(data), nil
}

func load(vars map[string]string, file string) (Config, error) {
	env := fakeEnv{vars: vars, files: map[string]string{}}
	if file != "" {
		env.vars[EnvSinksFile] = "/etc/grantwatch/sinks.json"
		env.files["/etc/grantwatch/sinks.json"] = file
	}
	return LoadConfig(env.getenv, env.readFile)
}

// sinkSummary is a sink config with its secret revealed, for comparison.
type sinkSummary struct {
	Name, Type, URL, Secret string
}

func summarizeSinks(sinks []SinkConfig) []sinkSummary {
	out := []sinkSummary{}
	for _, s := range sinks {
		out = append(out, sinkSummary{s.Name, string(s.Type), s.URL, s.Secret.Reveal()})
	}
	return out
}

const exampleSinksFile = `{"sinks":[
  {"name":"pagerduty-bridge","type":"webhook","url":"https://bridge.example.com/in","secret_env":"BRIDGE_SECRET"},
  {"name":"audit","type":"webhook","url":"http://audit.internal:8080/hook","secret":"` + fileSecret + `"},
  {"name":"ops","type":"slack","url":"https://hooks.slack.com` + slackPath + `"},
  {"name":"log","type":"log"}
]}`

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	fileSinks := []sinkSummary{
		{"pagerduty-bridge", "webhook", "https://bridge.example.com/in", varSecret},
		{"audit", "webhook", "http://audit.internal:8080/hook", fileSecret},
		{"ops", "slack", "https://hooks.slack.com" + slackPath, ""},
		{"log", "log", "", ""},
	}
	envSinks := []sinkSummary{
		{"webhook", "webhook", "https://alerts.example.com/grantwatch", envSecret},
		{"slack", "slack", "https://hooks.slack.com" + slackPath, ""},
	}
	envVars := func() map[string]string {
		return map[string]string{
			EnvWebhookURL:    "https://alerts.example.com/grantwatch",
			EnvWebhookSecret: envSecret,
			EnvSlackURL:      "https://hooks.slack.com" + slackPath,
		}
	}

	tests := []struct {
		name   string
		vars   map[string]string
		file   string
		want   Config
		wantSk []sinkSummary
	}{
		{
			name:   "nothing set: defaults, no sinks",
			vars:   map[string]string{},
			wantSk: []sinkSummary{},
		},
		{
			name: "policy from the environment",
			vars: map[string]string{EnvAlertOnA: "true", EnvRemindEvery: "4h", EnvPublicURL: "https://gw.example.com"},
			want: Config{AlertOnA: true, RemindEvery: 4 * time.Hour, PublicURL: "https://gw.example.com"},
		},
		{
			name: "reminders off with 0",
			vars: map[string]string{EnvRemindEvery: "0s", EnvAlertOnA: "false"},
		},
		{
			name:   "environment only",
			vars:   envVars(),
			wantSk: envSinks,
		},
		{
			name:   "file only",
			vars:   map[string]string{"BRIDGE_SECRET": varSecret},
			file:   exampleSinksFile,
			wantSk: fileSinks,
		},
		{
			name: "environment and file",
			vars: func() map[string]string {
				v := envVars()
				v["BRIDGE_SECRET"] = varSecret
				return v
			}(),
			file:   exampleSinksFile,
			wantSk: append(envSinks, fileSinks...),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := load(tt.vars, tt.file)
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if got.AlertOnA != tt.want.AlertOnA || got.RemindEvery != tt.want.RemindEvery || got.PublicURL != tt.want.PublicURL {
				t.Errorf("policy = %+v, want %+v", got.Policy(), tt.want.Policy())
			}
			if sk := summarizeSinks(got.Sinks); tt.wantSk != nil && !reflect.DeepEqual(sk, tt.wantSk) {
				t.Errorf("sinks:\n got %+v\nwant %+v", sk, tt.wantSk)
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	slackURL := "https://hooks.slack.com" + slackPath
	tests := []struct {
		name string
		vars map[string]string
		file string
		want []string // substrings of the error
	}{
		{"bad ALERT_ON_A", map[string]string{EnvAlertOnA: "sometimes"}, "", []string{EnvAlertOnA}},
		{"bad REMIND_EVERY", map[string]string{EnvRemindEvery: "daily"}, "", []string{EnvRemindEvery}},
		{"REMIND_EVERY too short", map[string]string{EnvRemindEvery: "10s"}, "", []string{EnvRemindEvery, "at least 1m0s"}},
		{"bad PUBLIC_URL", map[string]string{EnvPublicURL: "grantwatch.example.com"}, "", []string{EnvPublicURL}},
		{"webhook secret without URL", map[string]string{EnvWebhookSecret: envSecret}, "", []string{EnvWebhookURL}},
		{"webhook URL without secret", map[string]string{EnvWebhookURL: "https://a.example.com"}, "", []string{`webhook sink "webhook"`, "no signing secret"}},
		{"webhook URL not absolute", map[string]string{EnvWebhookURL: "/hook", EnvWebhookSecret: envSecret}, "", []string{`webhook sink "webhook"`, "scheme"}},
		{"Slack URL with a bad scheme", map[string]string{EnvSlackURL: "ftp://hooks.slack.com" + slackPath}, "", []string{`slack sink "slack"`, "scheme"}},
		{"Slack URL that does not parse", map[string]string{EnvSlackURL: "https://hooks.slack.com:port" + slackPath}, "", []string{`slack sink "slack"`, "does not parse"}},
		{"Slack URL without a host", map[string]string{EnvSlackURL: "https://" + slackPath}, "", []string{`slack sink "slack"`, "no host"}},
		{"duplicate name across env and file", map[string]string{EnvSlackURL: slackURL}, `{"sinks":[{"name":"slack","type":"slack","url":"` + slackURL + `"}]}`, []string{`"slack" is used twice`}},
		{"duplicate name in file", map[string]string{}, `{"sinks":[{"name":"a","type":"log"},{"name":"a","type":"log"}]}`, []string{`"a" is used twice`}},
		{"file webhook without secret", map[string]string{}, `{"sinks":[{"name":"hook","type":"webhook","url":"https://a.example.com"}]}`, []string{`webhook sink "hook"`, "no signing secret"}},
		{"secret_env unset", map[string]string{}, `{"sinks":[{"name":"hook","type":"webhook","url":"https://a.example.com","secret_env":"HOOK_SECRET"}]}`, []string{"HOOK_SECRET", "empty or unset"}},
		{"secret and secret_env", map[string]string{"V": varSecret}, `{"sinks":[{"name":"hook","type":"webhook","url":"https://a.example.com","secret":"` + fileSecret + `","secret_env":"V"}]}`, []string{"not both"}},
		{"Slack sink with a secret", map[string]string{}, `{"sinks":[{"name":"ops","type":"slack","url":"` + slackURL + `","secret":"` + fileSecret + `"}]}`, []string{`slack sink "ops"`, "no secret"}},
		{"log sink with a URL", map[string]string{}, `{"sinks":[{"name":"l","type":"log","url":"` + slackURL + `"}]}`, []string{`log sink "l"`}},
		{"bad name", map[string]string{}, `{"sinks":[{"name":"Ops Team","type":"log"}]}`, []string{`"Ops Team"`, "a-z"}},
		{"name too long", map[string]string{}, `{"sinks":[{"name":"` + strings.Repeat("a", 41) + `","type":"log"}]}`, []string{"1 to 40"}},
		{"unknown type", map[string]string{}, `{"sinks":[{"name":"x","type":"email"}]}`, []string{`unknown type "email"`}},
		{"unknown field", map[string]string{}, `{"sinks":[{"name":"x","type":"log","secert":"` + fileSecret + `"}]}`, []string{`unknown field "secert"`}},
		{"JSON syntax error", map[string]string{}, `{"sinks":[{"name":"x","secret":` + fileSecret + `}]}`, []string{EnvSinksFile, "invalid JSON at byte"}},
		{"unreadable file", map[string]string{EnvSinksFile: "/missing.json"}, "", []string{EnvSinksFile, "/missing.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(tt.vars, tt.file)
			if err == nil {
				t.Fatal("LoadConfig succeeded, want an error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			for _, leak := range []string{envSecret, fileSecret, varSecret, slackToken, "/services/"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q contains %q", err, leak)
				}
			}
		})
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := load(map[string]string{EnvAlertOnA: "maybe", EnvRemindEvery: "soon", EnvSlackURL: "mailto:ops@example.com"}, "")
	for _, want := range []string{EnvAlertOnA, EnvRemindEvery, `slack sink "slack"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}

func TestSinkConfigString(t *testing.T) {
	t.Parallel()
	c := SinkConfig{Name: "ops", Type: SinkSlack, URL: "https://hooks.slack.com" + slackPath + "?x=1"}
	w := SinkConfig{Name: "hook", Type: SinkWebhook, URL: "https://user:pw@a.example.com/in", Secret: secret.New(envSecret)}
	for _, tt := range []struct {
		cfg  SinkConfig
		want string
	}{
		{c, `slack sink "ops" (https://hooks.slack.com/[redacted]?[redacted])`},
		{w, `webhook sink "hook" (https://a.example.com/[redacted])`},
		{SinkConfig{Name: "log", Type: SinkLog}, `log sink "log"`},
	} {
		if got := tt.cfg.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
