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

// Starter returns the bundled starter guidelines: guidelines/{slug}/{language}.{revision}.md.
// The starter referral directory is directory's (directory.LoadStarter).
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
