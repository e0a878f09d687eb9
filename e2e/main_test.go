package e2e

import (
	"testing"

	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
