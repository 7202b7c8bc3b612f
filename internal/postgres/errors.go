package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Errors callers can test for with errors.Is. Store methods wrap them with
// context (which tenant, which field), never with a secret.
var (
	// ErrNotFound: no such tenant (or no live tenant with that external id).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a live tenant already has that external id.
	ErrConflict = errors.New("already exists")
	// ErrTenantGone: the tenant was removed while the work was in flight;
	// the work can never succeed and should be abandoned, not retried.
	ErrTenantGone = errors.New("tenant removed")
	// ErrInvalid: the input breaks a rule; errors.As finds a
	// *ValidationError naming the field.
	ErrInvalid = errors.New("invalid input")
)

// ValidationError names one field of the input and what is wrong with it.
// The message never repeats a sealed value.
type ValidationError struct {
	Field   string // the field's JSON name, e.g. "acting_user_email"
	Problem string // e.g. "is not an email address"
}

// Error reads "<field> <problem>", e.g. "acting_user_email is not an email
// address".
func (e *ValidationError) Error() string { return e.Field + " " + e.Problem }

// Unwrap makes every ValidationError match ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

func invalid(field, problem string) error { return &ValidationError{Field: field, Problem: problem} }

// translate maps a pgx error to the store's errors, prefixing what was being
// done. PgError messages name constraints and types but not the values
// (those are in its Detail, which Error does not print), so wrapping it
// keeps secrets out while keeping the cause inspectable.
func translate(err error, doing string) error {
	if err == nil {
		return nil
	}
	var code string
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		code = pgErr.Code
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows), code == pgerrcode.ForeignKeyViolation:
		return fmt.Errorf("%s: %w", doing, ErrNotFound)
	case code == pgerrcode.UniqueViolation:
		return fmt.Errorf("%s: %w", doing, ErrConflict)
	case code == pgerrcode.CheckViolation, code == pgerrcode.NotNullViolation, pgerrcode.IsDataException(code):
		return fmt.Errorf("%s: %w: %w", doing, ErrInvalid, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
