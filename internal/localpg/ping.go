package localpg

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ping opens one connection to url, runs a round trip and closes it. Errors
// come from pgx, which redacts any password in the URL, so they are safe to
// show.
func ping(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	// Close with a fresh context: when ctx has already expired the
	// termination message should still be attempted so the server does not
	// log an unexpected EOF.
	defer conn.Close(context.WithoutCancel(ctx))
	if err := conn.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}
