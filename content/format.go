package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gobidialogue/portal"
)

// Format writes f back as a Markdown file: canonical front matter, then the body. Keys come
// in a fixed order (title, slug, language, translation_key, summary, tags, status,
// comment_opens, comment_closes, revision, date, change_note, example); empty optional keys
// are left out; dates are written YYYY-MM-DD. Values are encoded by the yaml library, which
// quotes a string only when YAML would otherwise read it differently. ParseFile(Format(f))
// gives back f, and Format is a fixed point, so exporting and re-importing changes nothing.
func Format(f *File) []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	b.Write(encodeFrontMatter(f))
	b.WriteString("---\n")
	b.WriteString(f.Body)
	return b.Bytes()
}

// Hash returns the hex SHA-256 of the canonical front matter without revision and date,
// and the body: two files with equal hashes describe the same revision content, so an
// import that finds the stored hash unchanged creates no new revision.
func Hash(f *File) string {
	c := *f
	c.Revision, c.Date = 0, nil
	sum := sha256.Sum256(Format(&c))
	return hex.EncodeToString(sum[:])
}

func encodeFrontMatter(f *File) []byte {
	m := &f.Meta
	fm := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key string, value *yaml.Node) {
		fm.Content = append(fm.Content, stringNode(key), value)
	}
	add("title", stringNode(m.Title))
	add("slug", stringNode(m.Slug))
	add("language", stringNode(string(m.Language)))
	add("translation_key", stringNode(m.TranslationKey))
	if m.Summary != "" {
		add("summary", stringNode(m.Summary))
	}
	if len(m.Tags) > 0 {
		add("tags", tagsNode(m.Tags))
	}
	add("status", stringNode(string(m.Status)))
	if m.CommentOpens != nil {
		add("comment_opens", dateNode(*m.CommentOpens))
	}
	if m.CommentCloses != nil {
		add("comment_closes", dateNode(*m.CommentCloses))
	}
	if f.Revision != 0 {
		add("revision", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(f.Revision)})
	}
	if f.Date != nil {
		add("date", dateNode(*f.Date))
	}
	if m.ChangeNote != "" {
		add("change_note", stringNode(m.ChangeNote))
	}
	if m.Example {
		add("example", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}

	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		// Every node above is a plain string, number, bool or date: encoding cannot fail.
		panic("content: encode front matter: " + err.Error())
	}
	_ = enc.Close()
	return b.Bytes()
}

// stringNode is a YAML string. Invalid UTF-8 (impossible from ParseFile) is replaced, because
// the encoder would otherwise write it as !!binary, which ParseFile rejects.
func stringNode(s string) *yaml.Node {
	n := &yaml.Node{}
	n.SetString(strings.ToValidUTF8(s, "\uFFFD"))
	return n
}

// tagsNode writes tags on one line, [a, b], as authors write them.
func tagsNode(tags []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, t := range tags {
		n.Content = append(n.Content, stringNode(t))
	}
	return n
}

// dateNode writes a calendar date as Mongolia sees it.
func dateNode(t time.Time) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: t.In(portal.MongoliaTime).Format(dateLayout)}
}
