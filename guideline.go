package portal

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// GuidelineStatus is where a guideline stands in its life.
type GuidelineStatus string

const (
	StatusDraft    GuidelineStatus = "draft"
	StatusOpen     GuidelineStatus = "open" // open for comment until CommentCloses
	StatusAdopted  GuidelineStatus = "adopted"
	StatusArchived GuidelineStatus = "archived"
)

// Valid reports whether s is a known status.
func (s GuidelineStatus) Valid() bool {
	switch s {
	case StatusDraft, StatusOpen, StatusAdopted, StatusArchived:
		return true
	}
	return false
}

// SafeHTML is HTML that content/ produced from Markdown and sanitized. Nothing else may
// create a value of this type from user input; templates trust it through content.Trusted.
type SafeHTML string

// GuidelineMeta is what a guideline's front matter says about one revision.
type GuidelineMeta struct {
	Title          string
	Slug           string
	Language       Language
	TranslationKey string
	Summary        string
	Tags           []string
	Status         GuidelineStatus
	CommentOpens   *time.Time // date, midnight in MongoliaTime
	CommentCloses  *time.Time // date, midnight in MongoliaTime; the last day comments are taken
	ChangeNote     string
	Example        bool // starter content: example text, not an agreed document
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ValidSlug reports whether s is a usable URL slug: lower-case ASCII letters and digits
// separated by single hyphens, at most 100 characters.
func ValidSlug(s string) bool { return len(s) <= 100 && slugPattern.MatchString(s) }

// Validate checks the meta of a revision and returns an EINVALID error naming the field.
func (m *GuidelineMeta) Validate() error {
	switch {
	case strings.TrimSpace(m.Title) == "":
		return FieldError("title", "title is required")
	case len(m.Title) > 300:
		return FieldError("title", "title is longer than 300 bytes")
	case !ValidSlug(m.Slug):
		return FieldError("slug", "slug %q must be lower-case letters, digits and hyphens", m.Slug)
	case !m.Language.Valid():
		return FieldError("language", "unknown language %q: use mn or en", m.Language)
	case !ValidSlug(m.TranslationKey):
		return FieldError("translation_key", "translation_key %q must be lower-case letters, digits and hyphens", m.TranslationKey)
	case !m.Status.Valid():
		return FieldError("status", "unknown status %q: use draft, open, adopted or archived", m.Status)
	case m.Status == StatusOpen && m.CommentCloses == nil:
		return FieldError("comment_closes", "a guideline open for comment needs comment_closes")
	case m.CommentOpens != nil && m.CommentCloses != nil && m.CommentCloses.Before(*m.CommentOpens):
		return FieldError("comment_closes", "comment_closes is before comment_opens")
	case len(m.Summary) > 2000:
		return FieldError("summary", "summary is longer than 2000 bytes")
	}
	return nil
}

// GuidelineID returns the store key of a guideline in one language. Keys are designed for
// _id lookups: the embedded engine pushes down nothing else.
func GuidelineID(slug string, lang Language) string { return string(lang) + ":" + slug }

// GuidelinePath returns the address of a guideline, /guidelines/{slug}: the one place that
// builds it, for the pages and the search records.
func GuidelinePath(slug string) string { return "/guidelines/" + url.PathEscape(slug) }

// RevisionID returns the store key of revision n of a guideline.
func RevisionID(guidelineID string, n int) string { return guidelineID + "@" + strconv.Itoa(n) }

// Guideline is one language version of a guideline document: the current state, plus a
// short summary of every revision so the history page needs no second query.
type Guideline struct {
	ID string // GuidelineID(Slug, Language)
	GuidelineMeta
	Revision  int            // the current revision number, 1-based
	Revisions []RevisionInfo // oldest first
	// Translations maps each other language to the slug of the translation in it.
	Translations map[Language]string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// CommentPeriodOpen reports whether comments are taken at now.
func (g *Guideline) CommentPeriodOpen(now time.Time) bool {
	if g.Status != StatusOpen || g.CommentCloses == nil {
		return false
	}
	day := now.In(MongoliaTime)
	if g.CommentOpens != nil && day.Before(*g.CommentOpens) {
		return false
	}
	return day.Before(g.CommentCloses.AddDate(0, 0, 1))
}

// RevisionInfo is the summary of a revision kept on its guideline.
type RevisionInfo struct {
	Number     int
	Title      string
	ChangeNote string
	Words      int
	CreatedAt  time.Time
}

// BlockKind names the kind of a Markdown block that a comment can anchor to.
type BlockKind string

const (
	BlockHeading   BlockKind = "heading"
	BlockParagraph BlockKind = "paragraph"
	BlockListItem  BlockKind = "item"
	BlockTable     BlockKind = "table"
	BlockQuote     BlockKind = "quote"
	BlockCode      BlockKind = "code"
	BlockFootnote  BlockKind = "footnote"
)

// Block is one anchorable block of a revision: its id (the HTML id attribute, derived from
// its content and unique within the revision), kind and plain text.
type Block struct {
	ID   string
	Kind BlockKind
	Text string
}

// TOCEntry is one heading of a revision's table of contents.
type TOCEntry struct {
	Level int
	ID    string
	Title string
}

// Revision is one saved version of a guideline: its Markdown source, and the HTML, table of
// contents and blocks rendered from it when it was saved.
type Revision struct {
	ID          string // RevisionID(GuidelineID, Number)
	GuidelineID string
	Number      int
	GuidelineMeta
	Body      string // Markdown, without front matter, line endings normalised to \n
	Hash      string // of the canonical front matter and body; equal hashes mean no change
	HTML      SafeHTML
	TOC       []TOCEntry
	Blocks    []Block
	Words     int
	CreatedAt time.Time
}

// Info returns the summary of r kept on its guideline.
func (r *Revision) Info() RevisionInfo {
	return RevisionInfo{Number: r.Number, Title: r.Title, ChangeNote: r.ChangeNote, Words: r.Words, CreatedAt: r.CreatedAt}
}

// GuidelineFilter selects guidelines. Zero fields match everything.
type GuidelineFilter struct {
	Language       Language
	Status         GuidelineStatus
	TranslationKey string
}

// GuidelineStore persists guidelines and their revisions.
type GuidelineStore interface {
	// FindGuideline returns the guideline with id, or ENOTFOUND. The guideline is the
	// caller's own: it may modify it.
	FindGuideline(ctx context.Context, id string) (*Guideline, error)
	// FindGuidelines returns the guidelines matching f, most recently updated first. The
	// slice is the caller's, but the guidelines may be shared with other callers: treat
	// them as read-only.
	FindGuidelines(ctx context.Context, f GuidelineFilter) ([]*Guideline, error)
	// FindRevision returns revision n of the guideline with id, or ENOTFOUND. The result
	// may be shared with other callers: treat it as read-only.
	FindRevision(ctx context.Context, guidelineID string, n int) (*Revision, error)
	// FindRenderedRevision is FindRevision without the Markdown Body and the Blocks, for
	// pages that only show the revision.
	FindRenderedRevision(ctx context.Context, guidelineID string, n int) (*Revision, error)
	// SaveRevisions writes revs (upserted by ID, so a retry converges) and then g, which makes
	// them visible: readers never see a revision that g does not list.
	SaveRevisions(ctx context.Context, g *Guideline, revs ...*Revision) error
	// UpdateTranslations replaces the translations map of the guideline with id.
	UpdateTranslations(ctx context.Context, id string, tr map[Language]string) error
	// GuidelinesVersion returns a value that changes after every write to a guideline ("" while
	// none was written), read with one _id lookup: what the search indexer follows. Like
	// DirectoryVersion, it is never newer than the list FindGuidelines then returns.
	GuidelinesVersion(ctx context.Context) (string, error)
}

// MetaStore keeps small facts about the installation, such as whether the starter
// content has been imported.
type MetaStore interface {
	// GetMeta returns the value stored under key, or ENOTFOUND.
	GetMeta(ctx context.Context, key string) (string, error)
	// SetMeta stores value under key.
	SetMeta(ctx context.Context, key, value string) error
}

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// RevisionDate returns the date of the current revision.
func (g *Guideline) RevisionDate() time.Time {
	if n := len(g.Revisions); n > 0 {
		return g.Revisions[n-1].CreatedAt
	}
	return g.UpdatedAt
}

// ClosesOn returns the last day of the comment period, or the zero time when there is none.
func (g *GuidelineMeta) ClosesOn() time.Time {
	if g.CommentCloses == nil {
		return time.Time{}
	}
	return *g.CommentCloses
}
