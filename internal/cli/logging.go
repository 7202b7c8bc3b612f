package cli

import (
	"io"
	"time"

	"github.com/rs/zerolog"
)

// newLogger builds the process logger: JSON lines by default, a readable
// console format with LOG_FORMAT=console.
func newLogger(w io.Writer, format, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Nop(), usagef("LOG_LEVEL=%q: want debug, info, warn or error", level)
	}
	out := w
	if format == "console" {
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Str("service", "grantwatch").Logger(), nil
}
