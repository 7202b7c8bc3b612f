package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

const plaintext = "hunter2-client-secret"

func TestSecretReveal(t *testing.T) {
	t.Parallel()
	s := New(plaintext)
	if got := s.Reveal(); got != plaintext {
		t.Errorf("Reveal = %q, want %q", got, plaintext)
	}
	if s.IsZero() {
		t.Error("IsZero on a set secret")
	}
	if !New("").IsZero() || !(Secret{}).IsZero() {
		t.Error("IsZero false on an empty secret")
	}
}

// TestSecretNeverPrints runs the secret through every printer the code base
// uses; each output must carry the marker and not the value.
func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := New(plaintext)
	type holder struct {
		Name   string
		Secret Secret
		Ptr    *Secret
	}
	h := holder{Name: "acme", Secret: s, Ptr: &s}

	mustJSON := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		return string(b)
	}
	zlog := func(add func(*zerolog.Event)) string {
		var buf bytes.Buffer
		logger := zerolog.New(&buf)
		e := logger.Info()
		add(e)
		e.Msg("tenant checked")
		return buf.String()
	}
	slogText := func(attr slog.Attr) string {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("tenant checked", attr)
		return buf.String()
	}
	slogJSON := func(attr slog.Attr) string {
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("tenant checked", attr)
		return buf.String()
	}

	tests := map[string]string{
		"fmt %v":              fmt.Sprintf("%v", s),
		"fmt %s":              fmt.Sprintf("%s", s),
		"fmt %+v":             fmt.Sprintf("%+v", s),
		"fmt %#v":             fmt.Sprintf("%#v", s),
		"fmt %q":              fmt.Sprintf("%q", s),
		"fmt %x":              fmt.Sprintf("%x", s),
		"fmt %X":              fmt.Sprintf("%X", s),
		"fmt %d":              fmt.Sprintf("%d", s),
		"fmt %30s":            fmt.Sprintf("%30s", s),
		"fmt pointer %v":      fmt.Sprintf("%v", &s),
		"fmt struct %v":       fmt.Sprintf("%v", h),
		"fmt struct %+v":      fmt.Sprintf("%+v", h),
		"fmt struct %#v":      fmt.Sprintf("%#v", h),
		"fmt struct %x":       fmt.Sprintf("%x", h),
		"fmt slice %v":        fmt.Sprintf("%v", []Secret{s}),
		"fmt map %v":          fmt.Sprintf("%v", map[string]Secret{"k": s}),
		"fmt Sprint":          fmt.Sprint(s),
		"fmt Sprintln":        fmt.Sprintln(s),
		"error wrapping %v":   fmt.Errorf("sealing %v: %w", s, fmt.Errorf("boom")).Error(),
		"json value":          mustJSON(s),
		"json pointer":        mustJSON(&s),
		"json struct field":   mustJSON(h),
		"json map value":      mustJSON(map[string]Secret{"k": s}),
		"json map key":        mustJSON(map[Secret]int{s: 1}),
		"zerolog Any":         zlog(func(e *zerolog.Event) { e.Any("secret", s) }),
		"zerolog Interface":   zlog(func(e *zerolog.Event) { e.Interface("secret", s) }),
		"zerolog Object":      zlog(func(e *zerolog.Event) { e.Object("secret", s) }),
		"zerolog Stringer":    zlog(func(e *zerolog.Event) { e.Stringer("secret", s) }),
		"zerolog Any struct":  zlog(func(e *zerolog.Event) { e.Any("tenant", h) }),
		"slog text":           slogText(slog.Any("secret", s)),
		"slog text struct":    slogText(slog.Any("tenant", h)),
		"slog text group":     slogText(slog.Group("tenant", slog.Any("secret", s))),
		"slog json":           slogJSON(slog.Any("secret", s)),
		"slog json struct":    slogJSON(slog.Any("tenant", h)),
		"slog json pointer":   slogJSON(slog.Any("secret", &s)),
		"slog text via Value": slogText(slog.Attr{Key: "secret", Value: slog.AnyValue(s)}),
	}
	for name, out := range tests {
		if strings.Contains(out, plaintext) {
			t.Errorf("%s leaks the value: %s", name, out)
		}
		if !strings.Contains(out, redacted) {
			t.Errorf("%s lacks the %s marker: %s", name, redacted, out)
		}
	}
}

func TestSecretJSONOmitZero(t *testing.T) {
	t.Parallel()
	type config struct {
		Secret Secret `json:"secret,omitzero"`
	}
	for _, tt := range []struct {
		in   config
		want string
	}{
		{config{}, `{}`},
		{config{Secret: New(plaintext)}, `{"secret":"[redacted]"}`},
	} {
		b, err := json.Marshal(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("json.Marshal = %s, want %s", b, tt.want)
		}
	}
}
