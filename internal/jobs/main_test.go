package jobs_test

import (
	"os"
	"testing"

	"github.com/grantwatch/grantwatch/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
