package bleve

import (
	"testing"

	"github.com/gobidialogue/portal"
)

func TestPage(t *testing.T) {
	for _, tt := range []struct {
		q          portal.SearchQuery
		from, size int
	}{
		{portal.SearchQuery{}, 0, defaultPerPage},
		{portal.SearchQuery{Page: 2, PerPage: 5000}, portal.MaxPerPage, portal.MaxPerPage},
		{portal.SearchQuery{PerPage: 500, IDsOnly: true}, 0, 500},
		{portal.SearchQuery{Page: 3, PerPage: 5000, IDsOnly: true}, 2 * portal.MaxIDsPerPage, portal.MaxIDsPerPage},
		{portal.SearchQuery{Page: 1 << 40, PerPage: 2000, IDsOnly: true}, 0, 0}, // past maxOffset
	} {
		if from, size := page(tt.q); from != tt.from || size != tt.size {
			t.Errorf("page(%+v) = %d, %d; want %d, %d", tt.q, from, size, tt.from, tt.size)
		}
	}
}
