package alert

import (
	"strings"
	"testing"
	"time"
)

func TestLoadConfigDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		vars    map[string]string
		want    Delivery
		wantErr []string // substrings of the error; nil for success
	}{
		{"defaults", map[string]string{}, DefaultDelivery(), nil},
		{"all set", map[string]string{EnvTimeout: "2s", EnvRetryBase: "100ms", EnvRetryCap: "5s", EnvGiveUpAfter: "1m"},
			Delivery{Timeout: 2 * time.Second, RetryBase: 100 * time.Millisecond, RetryCap: 5 * time.Second, GiveUpAfter: time.Minute}, nil},
		{"one set keeps the other defaults", map[string]string{EnvGiveUpAfter: "2h"},
			Delivery{Timeout: DefaultTimeout, RetryBase: 10 * time.Second, RetryCap: time.Hour, GiveUpAfter: 2 * time.Hour}, nil},
		{"not a duration", map[string]string{EnvRetryBase: "often"}, Delivery{}, []string{EnvRetryBase}},
		{"timeout too short", map[string]string{EnvTimeout: "1ms"}, Delivery{}, []string{EnvTimeout, "at least 100ms"}},
		{"give-up too short", map[string]string{EnvGiveUpAfter: "0s"}, Delivery{}, []string{EnvGiveUpAfter}},
		{"cap below base", map[string]string{EnvRetryBase: "1m", EnvRetryCap: "30s"}, Delivery{}, []string{EnvRetryCap, "shorter than " + EnvRetryBase}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := load(tt.vars, "")
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("LoadConfig: %v", err)
				}
				if got.Delivery != tt.want {
					t.Errorf("Delivery = %+v, want %+v", got.Delivery, tt.want)
				}
				return
			}
			for _, want := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v does not contain %q", err, want)
				}
			}
		})
	}
}

func TestDeliveryWithDefaults(t *testing.T) {
	t.Parallel()
	if got := (Delivery{}).WithDefaults(); got != DefaultDelivery() {
		t.Errorf("zero Delivery with defaults = %+v, want %+v", got, DefaultDelivery())
	}
	set := Delivery{Timeout: time.Second, RetryBase: time.Millisecond, RetryCap: time.Minute, GiveUpAfter: time.Hour}
	if got := set.WithDefaults(); got != set {
		t.Errorf("WithDefaults changed set fields: %+v, want %+v", got, set)
	}
}
