package directory_test

import (
	"testing"

	"github.com/gobidialogue/portal/internal/testkit/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
