package portal

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// TestDirectoryWithOrg: a directory derived by WithOrg, save after save, answers Org,
// Service and Services as one built whole from the same organisations, across more saves
// than its indexes hold as changes over their base (maxLayered); and every directory it
// was derived from still answers as it did.
func TestDirectoryWithOrg(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	ever := map[string]bool{} // every service id made
	org := func(id string, services ...string) *DirectoryOrg {
		o := &DirectoryOrg{ID: id}
		for _, s := range services {
			o.Services = append(o.Services, Service{ID: s, OrgID: id})
			ever[s] = true
		}
		return o
	}
	current := map[string]*DirectoryOrg{}
	var orgs []*DirectoryOrg
	for i := range 200 {
		id := fmt.Sprintf("org-%03d", i)
		o := org(id, id+"-a", id+"-b", id+"-c")
		current[id], orgs = o, append(orgs, o)
	}
	d := NewDirectory(slices.Clone(orgs), "0")
	type check struct {
		d    *Directory
		orgs map[string]*DirectoryOrg
	}
	same := func(step string, c check) {
		t.Helper()
		var want []*DirectoryOrg
		for _, o := range c.orgs {
			want = append(want, o)
		}
		whole := NewDirectory(want, "x")
		if len(c.d.Orgs) != len(whole.Orgs) {
			t.Fatalf("%s: %d organisations, want %d", step, len(c.d.Orgs), len(whole.Orgs))
		}
		for i, o := range whole.Orgs {
			if c.d.Orgs[i] != o || c.d.Org(o.ID) != o {
				t.Fatalf("%s: organisation %s differs", step, o.ID)
			}
		}
		ids := func(ss []*Service) (out []string) {
			for _, s := range ss {
				out = append(out, s.ID)
			}
			return out
		}
		if got, want := ids(c.d.Services()), ids(whole.Services()); !slices.Equal(got, want) {
			t.Fatalf("%s: services %d, want %d", step, len(got), len(want))
		}
		for id := range ever { // services dropped since are found nowhere
			gs, gorg := c.d.Service(id)
			ws, worg := whole.Service(id)
			if gs != ws || gorg != worg {
				t.Fatalf("%s: service %s is %p of %p, want %p of %p", step, id, gs, gorg, ws, worg)
			}
		}
	}
	var kept []check
	for step := range 3 * maxLayered {
		var o *DirectoryOrg
		switch k := r.Intn(10); {
		case k < 6: // an organisation saved again, a service dropped or added
			id := fmt.Sprintf("org-%03d", r.Intn(200))
			old := current[id]
			var svcs []string
			for _, s := range old.Services {
				if r.Intn(4) > 0 {
					svcs = append(svcs, s.ID)
				}
			}
			if r.Intn(2) == 0 {
				svcs = append(svcs, fmt.Sprintf("%s-s%d", id, step))
			}
			o = org(id, svcs...)
		case k < 8: // a new organisation
			id := fmt.Sprintf("org-new-%03d", step)
			o = org(id, id+"-a", id+"-z")
		default: // an organisation saved with no change
			id := fmt.Sprintf("org-%03d", r.Intn(200))
			o = org(id)
			o.Services = slices.Clone(current[id].Services)
		}
		d = d.WithOrg(o, fmt.Sprint(step))
		current[o.ID] = o
		if step%97 == 0 || step == 3*maxLayered-1 {
			c := check{d: d, orgs: map[string]*DirectoryOrg{}}
			for k, v := range current {
				c.orgs[k] = v
			}
			same(fmt.Sprintf("step %d", step), c)
			kept = append(kept, c)
		}
	}
	for i, c := range kept {
		same(fmt.Sprintf("directory %d of %d, after the later saves", i+1, len(kept)), c)
	}
}
