package directory

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/gobidialogue/portal"
)

// starter holds the bundled starter directory under starter/, embedded so a built binary
// works from any directory: the gazetteer, the service types and the example
// organisations (starter/README.md describes the files).
//
//go:embed starter/gazetteer.yaml starter/taxonomy.yaml starter/organizations
var starter embed.FS

// LoadStarter reads and validates the bundled directory, as Load does.
func LoadStarter() (*portal.Gazetteer, []portal.TaxonomyTerm, []*portal.DirectoryOrg, error) {
	return Load(starter, "starter")
}

// starterKey is the meta key recording that the starter directory was imported.
const starterKey = "starter_directory_imported"

// ImportStarter stores the bundled directory once: on the first start of an installation,
// so that entries edited later are never overwritten. It returns how many services it
// stored (0 when it had done so before). It is the installation's set-up, not a person's
// change, so it writes no audit entry.
func ImportStarter(ctx context.Context, dir portal.DirectoryStore, meta portal.MetaStore, now portal.Clock) (int, error) {
	_, err := meta.GetMeta(ctx, starterKey)
	switch portal.ErrorCode(err) {
	case "":
		return 0, nil
	case portal.ENOTFOUND:
	default:
		return 0, fmt.Errorf("directory: starter: %w", err)
	}
	t := now().UTC()
	// A directory imported before the first start (portal import --hsds) is the
	// installation's own: the starter entries are not added to it.
	d, err := dir.Directory(ctx)
	if err != nil {
		return 0, fmt.Errorf("directory: starter: %w", err)
	}
	if len(d.Orgs) > 0 {
		return 0, meta.SetMeta(ctx, starterKey, t.Format(time.RFC3339))
	}
	_, _, orgs, err := LoadStarter()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range orgs {
		o.Modified = t
		for i := range o.Services {
			o.Services[i].Modified = t
			n++
		}
	}
	// One batch: a failure part way leaves some of them stored, as one save after another
	// did, and the next start, finding the directory not empty, adds none.
	if err := dir.SaveDirectoryOrgs(ctx, orgs); err != nil {
		return 0, fmt.Errorf("directory: starter: %w", err)
	}
	if err := meta.SetMeta(ctx, starterKey, t.Format(time.RFC3339)); err != nil {
		return 0, fmt.Errorf("directory: starter: %w", err)
	}
	return n, nil
}
