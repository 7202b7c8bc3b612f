package ironcladsim

import (
	"errors"
	"testing"
)

func TestSeedDemoWith(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	want := DemoCompany{
		CompanyID:       "demo",
		ClientID:        "a8e0602b-e721-4635-9610-239f7b59aa6e",
		ClientSecret:    "fixed-secret",
		ActingUserEmail: "admin@demo.example",
	}
	got, err := s.SeedDemoWith(want)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("SeedDemoWith = %+v, want the given values %+v", got, want)
	}

	// A second seed with the same company fails and leaves no half-made
	// app behind.
	again := want
	again.ClientID = "b8e0602b-e721-4635-9610-239f7b59aa6e"
	if _, err := s.SeedDemoWith(again); !errors.Is(err, ErrExists) {
		t.Fatalf("seeding an existing company: %v, want ErrExists", err)
	}
	if err := s.DeleteApp(again.ClientID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the failed seed left app %s behind (DeleteApp: %v)", again.ClientID, err)
	}

	// Empty fields are generated, and fresh each time.
	a, errA := s.SeedDemo()
	b, errB := s.SeedDemo()
	if err := errors.Join(errA, errB); err != nil {
		t.Fatal(err)
	}
	if a.CompanyID == b.CompanyID || a.ClientID == b.ClientID || a.ClientSecret == b.ClientSecret || !isUUID(a.ClientID) {
		t.Errorf("generated demo companies %+v and %+v are not distinct", a, b)
	}
}

func TestSeedDemoWithAnInvalidClientID(t *testing.T) {
	t.Parallel()
	if _, err := New(Options{}).SeedDemoWith(DemoCompany{ClientID: "not-a-uuid"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("SeedDemoWith a bad client id: %v, want ErrInvalid", err)
	}
}
