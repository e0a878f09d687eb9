package meili

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gobidialogue/portal"
	"github.com/gobidialogue/portal/search"
	"github.com/meilisearch/meilisearch-go"
)

// batchSize is how many records one request adds or deletes: far below Meilisearch's
// 100 MB payload limit.
const batchSize = 1000

// maxIDBytes is the longest document id Meilisearch takes.
const maxIDBytes = 511

// document is a record as Meilisearch stores it.
type document struct {
	ID       string   `json:"id"` // docID of the portal id
	Kind     string   `json:"kind"`
	Thing    string   `json:"thing"` // SearchDoc.ThingID: the distinct attribute of a search for things
	Language string   `json:"language"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Places   string   `json:"places"`
	URL      string   `json:"url"`
	Aimags   []string `json:"aimags,omitempty"`
	Types    []string `json:"types,omitempty"`
	Year     int      `json:"year,omitempty"` // no year, no year facet
	Updated  int64    `json:"updated"`        // Unix seconds
	Hash     string   `json:"hash"`
	TitleF   string   `json:"title_f"`
	PlacesF  string   `json:"places_f"`
	BodyF    string   `json:"body_f"`
}

// newDocument makes the Meilisearch document of a record.
func newDocument(d portal.SearchDoc) document {
	title, body, places := clean(d.Title), clean(d.Body), clean(d.Places)
	doc := document{
		ID:       docID(d.ID),
		Kind:     d.Kind,
		Thing:    d.ThingID(),
		Language: string(d.Language),
		Title:    title,
		Body:     body,
		Places:   places,
		URL:      d.URL,
		Aimags:   d.Aimags,
		Types:    d.Types,
		Year:     d.Year,
		Hash:     d.Hash,
		TitleF:   search.Fold(title),
		PlacesF:  search.Fold(places),
		BodyF:    search.Fold(body),
	}
	if !d.Updated.IsZero() {
		doc.Updated = d.Updated.Unix()
	}
	return doc
}

// clean drops the runes the highlight tags are made of, so that no text can fake a match.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == preTag || r == postTag {
			return -1
		}
		return r
	}, s)
}

// Index adds or replaces records and returns when Meilisearch has indexed them all. A task
// that failed is an error; the batches before it stay indexed.
func (ix *Index) Index(ctx context.Context, docs ...portal.SearchDoc) error {
	for _, d := range docs {
		// Checked before anything is sent: Meilisearch would fail the whole batch.
		if key := docID(d.ID); key == "" || len(key) > maxIDBytes {
			return fmt.Errorf("meili: record id %q: Meilisearch takes 1 to %d bytes (here %d, encoded)", d.ID, maxIDBytes, len(key))
		}
	}
	pk := primaryKey
	return ix.inBatches(ctx, len(docs), "index", func(lo, hi int) (*meilisearch.TaskInfo, error) {
		batch := make([]document, 0, hi-lo)
		for _, d := range docs[lo:hi] {
			batch = append(batch, newDocument(d))
		}
		return ix.index.AddDocuments(ctx, batch, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	})
}

// Delete removes records by id; unknown ids are no error.
func (ix *Index) Delete(ctx context.Context, ids ...string) error {
	return ix.inBatches(ctx, len(ids), "delete", func(lo, hi int) (*meilisearch.TaskInfo, error) {
		keys := make([]string, 0, hi-lo)
		for _, id := range ids[lo:hi] {
			keys = append(keys, docID(id))
		}
		return ix.index.DeleteDocuments(ctx, keys, nil)
	})
}

// inBatches sends n records in batches of batchSize, then waits for every task they made:
// sent back to back, the tasks are processed by Meilisearch together, which makes a
// reindex several times faster than waiting after each.
func (ix *Index) inBatches(ctx context.Context, n int, op string, send func(lo, hi int) (*meilisearch.TaskInfo, error)) error {
	type sent struct {
		task *meilisearch.TaskInfo
		op   string
	}
	var tasks []sent
	var sendErr error
	for lo := 0; lo < n; lo += batchSize {
		hi := min(lo+batchSize, n)
		what := fmt.Sprintf("%s %d records", op, hi-lo)
		task, err := send(lo, hi)
		if err != nil {
			sendErr = ix.errorf(err, "%s", what)
			break
		}
		tasks = append(tasks, sent{task, what})
	}
	for _, t := range tasks {
		if err := ix.wait(ctx, t.task, nil, t.op); err != nil {
			return err
		}
	}
	return sendErr
}

// Hashes returns the id and hash of every record, a page of documents at a time.
func (ix *Index) Hashes(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for offset := int64(0); ; {
		var page meilisearch.DocumentsResult
		q := &meilisearch.DocumentsQuery{Offset: offset, Limit: batchSize, Fields: []string{"id", "hash"}}
		if err := ix.index.GetDocuments(ctx, q, &page); err != nil {
			return nil, ix.errorf(err, "list the records of %s", ix.uid)
		}
		for _, h := range page.Results {
			var d struct {
				ID   string `json:"id"`
				Hash string `json:"hash"`
			}
			if err := h.DecodeInto(&d); err != nil {
				return nil, fmt.Errorf("meili: list the records of %s: %w", ix.uid, err)
			}
			id, err := portalID(d.ID)
			if err != nil {
				return nil, fmt.Errorf("meili: list the records of %s: %w", ix.uid, err)
			}
			out[id] = d.Hash
		}
		offset += int64(len(page.Results))
		if len(page.Results) == 0 || offset >= page.Total {
			return out, nil
		}
	}
}

// docID makes a portal id a Meilisearch document id, which may hold only ASCII letters,
// digits, - and _: any other byte, _ included, is written _XX in upper-case hex, so
// "service:mn:ub-shelter" is "service_3Amn_3Aub-shelter". portalID reverses it.
func docID(id string) string {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "_%02X", c)
		}
	}
	return b.String()
}

// portalID reverses docID.
func portalID(key string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		if key[i] != '_' {
			b.WriteByte(key[i])
			continue
		}
		if i+2 >= len(key) {
			return "", fmt.Errorf("document id %q was not made by the portal", key)
		}
		c, err := strconv.ParseUint(key[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("document id %q was not made by the portal", key)
		}
		b.WriteByte(byte(c))
		i += 2
	}
	return b.String(), nil
}
