package pgtest

import (
	"strings"
	"testing"
)

func TestAdminConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url     string
		want    string // pgtestdb's URL of the admin database
		wantErr string
	}{
		{
			url:  "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
			want: "postgres://postgres:@127.0.0.1:5432/postgres?sslmode=disable",
		},
		{
			url:  "postgresql://admin:pw@db.internal/main",
			want: "postgres://admin:pw@db.internal:5432/main?",
		},
		{
			url:  "postgres://postgres@/postgres?host=/tmp/pg&sslmode=disable",
			want: "postgres://postgres:@:5432/postgres?host=/tmp/pg&sslmode=disable",
		},
		{url: "postgres:///postgres", wantErr: "names no host"},
		{url: "mysql://root:hunter2@localhost/db", wantErr: "not a postgres:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			conf, err := adminConfig(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("error %q reveals the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := conf.URL(); got != tt.want {
				t.Errorf("URL() = %q, want %q", got, tt.want)
			}
			if conf.DriverName != "pgx" {
				t.Errorf("DriverName = %q, want pgx", conf.DriverName)
			}
		})
	}
}
