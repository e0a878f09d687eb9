package content

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/gobidialogue/portal"
)

// starter holds the bundled starter content, embedded so a built binary works from any
// directory.
//
//go:embed starter
var starter embed.FS

// Starter returns the bundled starter content: guidelines/{slug}/{language}.{revision}.md.
func Starter() fs.FS {
	sub, err := fs.Sub(starter, "starter")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	return sub
}

// starterKey is the meta key recording that the starter content was imported.
const starterKey = "starter_imported"

// ImportStarter imports the starter content on the first start of an installation. Later
// starts import nothing, so starter guidelines that people have since revised are never
// overwritten.
func ImportStarter(ctx context.Context, im *Importer, meta portal.MetaStore) (*ImportReport, error) {
	_, err := meta.GetMeta(ctx, starterKey)
	switch portal.ErrorCode(err) {
	case "":
		return &ImportReport{}, nil
	case portal.ENOTFOUND:
	default:
		return nil, fmt.Errorf("content: starter: %w", err)
	}
	report, err := im.ImportFS(ctx, Starter(), "guidelines")
	if err != nil {
		return nil, fmt.Errorf("content: starter: %w", err)
	}
	if err := meta.SetMeta(ctx, starterKey, im.Now().UTC().Format(time.RFC3339)); err != nil {
		return nil, fmt.Errorf("content: starter: %w", err)
	}
	return report, nil
}

// starterDirectoryKey is the meta key recording that the starter directory was imported.
const starterDirectoryKey = "starter_directory_imported"

// ImportStarterDirectory stores the bundled directory once: on the first start of an
// installation, so that entries edited later are never overwritten. It returns how many
// services it stored (0 when it had done so before).
func ImportStarterDirectory(ctx context.Context, dir portal.DirectoryStore, meta portal.MetaStore, now portal.Clock) (int, error) {
	_, err := meta.GetMeta(ctx, starterDirectoryKey)
	switch portal.ErrorCode(err) {
	case "":
		return 0, nil
	case portal.ENOTFOUND:
	default:
		return 0, fmt.Errorf("content: starter directory: %w", err)
	}
	t := now().UTC()
	// A directory imported before the first start (portal import --hsds) is the
	// installation's own: the starter entries are not added to it.
	d, err := dir.Directory(ctx)
	if err != nil {
		return 0, fmt.Errorf("content: starter directory: %w", err)
	}
	if len(d.Orgs) > 0 {
		return 0, meta.SetMeta(ctx, starterDirectoryKey, t.Format(time.RFC3339))
	}
	_, _, orgs, err := LoadStarterDirectory()
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
		if err := dir.SaveDirectoryOrg(ctx, o); err != nil {
			return 0, fmt.Errorf("content: starter directory: %s: %w", o.ID, err)
		}
	}
	if err := meta.SetMeta(ctx, starterDirectoryKey, t.Format(time.RFC3339)); err != nil {
		return 0, fmt.Errorf("content: starter directory: %w", err)
	}
	return n, nil
}
