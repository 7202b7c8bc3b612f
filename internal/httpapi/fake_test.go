package httpapi

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/grantwatch/grantwatch/internal/health"
	"github.com/grantwatch/grantwatch/internal/view"
)

// fakeBackend keeps tenants in memory. It follows the Backend contract
// closely enough to drive the API's routing, decoding and error mapping; the
// real backend is tested end to end in internal/cli.
type fakeBackend struct {
	mu      sync.Mutex
	nextID  int64
	tenants map[string]view.Tenant
	secrets map[string]string // what arrived, revealed, to prove it arrived
	// lastQuery is the last incident query; checkDeadline whether the last
	// check's context had a deadline.
	lastQuery     IncidentQuery
	checkDeadline bool
	// fail, when set, is returned by every method.
	fail error
}

var _ Backend = (*fakeBackend)(nil)

func newFakeBackend() *fakeBackend {
	return &fakeBackend{tenants: map[string]view.Tenant{}, secrets: map[string]string{}}
}

func (f *fakeBackend) lookup(ext string) (view.Tenant, error) {
	if f.fail != nil {
		return view.Tenant{}, f.fail
	}
	t, ok := f.tenants[ext]
	if !ok {
		return view.Tenant{}, Errorf(KindNotFound, "no tenant with external id %q", ext)
	}
	return t, nil
}

func (f *fakeBackend) CreateTenant(_ context.Context, nt NewTenant) (view.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return view.Tenant{}, f.fail
	}
	if _, ok := f.tenants[nt.ExternalID]; ok {
		return view.Tenant{}, Errorf(KindConflict, "a tenant with external id %q already exists", nt.ExternalID)
	}
	f.nextID++
	t := view.Tenant{
		ID: f.nextID, ExternalID: nt.ExternalID, Name: nt.Name, Region: nt.Region, BaseURL: nt.BaseURL,
		ClientID: nt.ClientID, ActingUserEmail: nt.ActingUserEmail, Generation: 1,
		Interval: nt.Interval.String(), State: view.TenantActive, SecretKeyID: "k1",
	}
	f.tenants[nt.ExternalID] = t
	f.secrets[nt.ExternalID] = nt.ClientSecret.Reveal()
	return t, nil
}

func (f *fakeBackend) ListTenants(_ context.Context, p Page) ([]view.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	var out []view.Tenant
	for _, t := range f.tenants {
		if t.ID > p.AfterID && (p.IncludeRemoved || t.State != view.TenantRemoved) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b view.Tenant) int { return int(a.ID - b.ID) })
	return out[:min(len(out), p.Limit)], nil
}

func (f *fakeBackend) Tenant(_ context.Context, ext string) (view.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lookup(ext)
}

func (f *fakeBackend) RotateCredentials(_ context.Context, ext string, c Credentials) (view.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.lookup(ext)
	if err != nil {
		return t, err
	}
	t.Generation++
	t.ClientID = cmp.Or(c.ClientID, t.ClientID)
	f.tenants[ext] = t
	f.secrets[ext] = c.ClientSecret.Reveal()
	return t, nil
}

func (f *fakeBackend) SetPaused(_ context.Context, ext string, paused bool) (view.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.lookup(ext)
	if err != nil {
		return t, err
	}
	t.State = view.TenantActive
	if paused {
		t.State = view.TenantPaused
	}
	f.tenants[ext] = t
	return t, nil
}

func (f *fakeBackend) RemoveTenant(_ context.Context, ext string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.lookup(ext); err != nil {
		return err
	}
	delete(f.tenants, ext)
	return nil
}

func (f *fakeBackend) Check(ctx context.Context, ext string) (view.Check, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, f.checkDeadline = ctx.Deadline()
	if _, err := f.lookup(ext); err != nil {
		return view.Check{}, err
	}
	return view.Check{
		Tenant: ext, CheckID: 7, Conclusive: true, Open: []health.Code{"ICD-102-A"}, Suspected: []health.Code{},
		Scopes: map[health.Scope]string{health.ScopeReadUsers: "never_granted"}, Evidence: []health.Evidence{},
	}, nil
}

func (f *fakeBackend) Status(_ context.Context, ext string) (view.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.lookup(ext)
	if err != nil {
		return view.Status{}, err
	}
	return view.Status{Tenant: t, Open: []view.Incident{}, Suspected: []health.Code{}, Scopes: map[health.Scope]string{},
		Undelivered: []view.Undelivered{}}, nil
}

func (f *fakeBackend) Incidents(_ context.Context, q IncidentQuery) ([]view.Incident, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastQuery = q
	if q.Tenant != "" {
		if _, err := f.lookup(q.Tenant); err != nil {
			return nil, err
		}
	}
	if f.fail != nil {
		return nil, f.fail
	}
	// A nil list: the API must still answer [].
	return nil, nil
}

// testNow is the test clock.
func testNow() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }
