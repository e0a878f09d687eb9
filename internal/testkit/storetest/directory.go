package storetest

import (
	"reflect"

	"github.com/gobidialogue/portal"
)

// SameDirectory reports whether a and b hold the same directory at the same version: the
// same organisations, the same services in id order, and every service found by its id in
// the same organisation. Their indexes may differ in shape (a directory patched save after
// save shares most of them with the one it came from), which reflect.DeepEqual of the two
// would count as a difference.
func SameDirectory(a, b *portal.Directory) bool {
	if a.Version != b.Version || !reflect.DeepEqual(a.Orgs, b.Orgs) || !reflect.DeepEqual(a.Services(), b.Services()) {
		return false
	}
	for _, s := range a.Services() {
		as, ao := a.Service(s.ID)
		bs, bo := b.Service(s.ID)
		if !reflect.DeepEqual(as, bs) || !reflect.DeepEqual(ao, bo) {
			return false
		}
	}
	for _, o := range a.Orgs {
		if !reflect.DeepEqual(a.Org(o.ID), b.Org(o.ID)) {
			return false
		}
	}
	return true
}
