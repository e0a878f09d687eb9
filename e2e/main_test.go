package e2e

import (
	"testing"

	"github.com/gobidialogue/portal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
