package directorytest_test

import (
	"reflect"
	"testing"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/directory"
	"github.com/gobidialogue/portal/internal/testkit/directorytest"
)

func TestGenerate(t *testing.T) {
	g, terms, _, err := directory.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, term := range terms {
		known[term.ID] = true
	}
	const n = 1000
	orgs := directorytest.Generate(n, 7, g, terms)
	if !reflect.DeepEqual(orgs, directorytest.Generate(n, 7, g, terms)) {
		t.Fatal("the same seed gave another directory")
	}
	if reflect.DeepEqual(orgs, directorytest.Generate(n, 8, g, terms)) {
		t.Error("another seed gave the same directory")
	}
	services, soums, types, languages := 0, map[portal.Place]bool{}, map[string]bool{}, map[string]bool{}
	var always, free, confidential, stale int
	for _, o := range orgs {
		if err := o.Validate(g, known); err != nil {
			t.Fatalf("%s: %v", o.ID, err)
		}
		for _, l := range o.Locations {
			soums[portal.Place{Aimag: l.Aimag, Soum: l.Soum}] = true
			if l.Confidential {
				confidential++
			}
		}
		for _, s := range o.Services {
			services++
			for _, ty := range s.Types {
				types[ty] = true
			}
			for _, l := range s.Languages {
				languages[l] = true
			}
			if s.Always {
				always++
			}
			if s.Free {
				free++
			}
			if s.Stale(directorytest.Assured) {
				stale++
			}
		}
	}
	wantSoums := 0
	for _, a := range g.Aimags {
		wantSoums += len(a.Soums)
	}
	switch {
	case services != n:
		t.Errorf("%d services, want %d", services, n)
	case len(orgs) != n/5:
		t.Errorf("%d organisations, want %d", len(orgs), n/5)
	case len(soums) != wantSoums:
		t.Errorf("locations in %d soums, want all %d", len(soums), wantSoums)
	case len(types) != len(terms):
		t.Errorf("%d service types, want all %d", len(types), len(terms))
	case len(languages) != 1+len(directorytest.Languages):
		t.Errorf("languages %v", languages)
	case always == 0 || always == n, free == 0 || free == n, confidential == 0, stale == 0 || stale == n:
		t.Errorf("always %d, free %d, confidential %d, stale %d of %d", always, free, confidential, stale, n)
	}
}
